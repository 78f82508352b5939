"""Injected faults (docs/interfaces.md): outage, maintenance windows, latency, intermittent errors.

    model       the fault and its effect on one request (pure)
    rules       checks of a new fault and of a manual end (pure)
    store       the repository mixin (table ``faults``)
    service     start, end, list — each owns its transaction
    events      the scenario events fault_start, fault_end
    board       the faults in force, read by the public interfaces before every request
"""

"""Every OQS message, parsed and built in one place: the request readers and the result trees
of each file kind and the Web API, their two renderings (XML in UTF-8 or Shift_JIS, JSON), the
character rules (●) and the hardened XML and JSON decoders. No Flask here: the interfaces in
:mod:`simulator.api` and the bulk job both use it."""

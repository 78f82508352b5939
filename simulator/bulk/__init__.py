"""Bulk qualification confirmation (一括照会, docs/interfaces.md): upload, queue, job, download.

    model     a job and where it stands at an instant (pure)
    store     the repository mixin (tables ``bulk_jobs``, ``bulk_items``)
    service   accept an upload, process pending items (the job), answer a download
"""

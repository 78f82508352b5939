"""Disaster-time special measure (災害時医療情報閲覧, docs/decisions.md): declarations.

A disaster (災害救助法の適用) has a name, an area (prefectures, optionally municipalities) and
a period in business time; it can be extended in part of its area and ended early.

    model       the declaration and the pure coverage rules (``covers``, ``covering``)
    codes       prefecture and municipality codes (全国地方公共団体コード)
    rules       checks of a declaration, an extension and an early end (pure)
    store       the repository mixin (tables ``disasters``, ``disaster_extensions``)
    service     declare, extend, end, list — each owns its transaction
    events      the scenario events disaster_declare, disaster_extend, disaster_end

Later parts (consent bypass, identification search) build on :func:`model.covering`.
"""

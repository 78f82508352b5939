"""Medical information: 薬剤情報 (three sources), 特定健診, the audit trail's kinds and the drug
and checkup masters (``model`` pure, ``input`` readers, ``service`` use cases, ``store`` SQL,
``tables`` its tables, ``events`` timeline kinds, ``masters`` datasets). Consents are
:mod:`simulator.consent`."""

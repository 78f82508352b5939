"""Medical information: 薬剤情報 (three sources), 特定健診, consents, the audit trail's kinds and
the drug and checkup masters (``model`` pure, ``input`` readers, ``service`` use cases, ``store``
SQL, ``events`` timeline kinds, ``masters`` datasets)."""

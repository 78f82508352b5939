"""The virtual My Number card and its reader: certificates, PIN and face checks, 初回登録, the
card route of a confirmation (``model`` pure, ``reader``/``service`` use cases, ``store`` SQL)."""

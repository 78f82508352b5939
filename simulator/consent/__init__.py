"""閲覧同意: consents given on the reader, by a scenario or through the admin API, and withdrawn
(``model`` pure, ``service`` use cases, ``store`` SQL, ``tables`` its table)."""

"""照会番号: an institution's own patient number registered for a person (``service``)."""

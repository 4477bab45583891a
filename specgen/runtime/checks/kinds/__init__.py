"""One module per check kind; each defines ``KIND``, an instance of a ``base.Kind`` subclass."""

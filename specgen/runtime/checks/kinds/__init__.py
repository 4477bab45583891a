"""One module per check kind; each defines ``KIND``, an instance of a ``base.Kind`` subclass.

The registry discovers the modules here (a module starting with ``_`` holds shared
helpers only). To add a kind, add one module that says everything about it:

- ``name``, ``order`` (its place in the plan), ``level`` (column or dataset), ``group``
  (which generated test: feature, distribution or dataset) and ``meaning``;
- ``build`` (column) or ``build_dataset``: the checks a spec entry asks for, read
  duck-typed from the spec objects (the runtime never imports the compiler);
- its pandera form: ``field_args`` (``pa.Field`` keywords: pandera's own checks, or a
  function of ``pandas_functions``, registered with pandera by ``runtime.pandas_checks``)
  or ``schema_config`` (``Config`` entries), and the ``pandera_names`` its failures come
  back under; ``backend_gaps`` when a generated backend (``compiler.backends``) lacks it;
- its polars form for ``specgen validate``: ``aggregates`` + ``judge`` (``RowKind``:
  just ``violation``), and ``per_chunk`` for ``specgen monitor``;
- ``describe`` and ``negatives`` (with ``mutations`` of its own if the shared ones in
  ``runtime.testing.mutate`` do not fit).

Then add its keys to the spec model (``compiler/spec/``, the module of its section) and document them.
"""

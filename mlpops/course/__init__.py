"""The course built on the instrument: what only the notebooks need.

``explorers`` (one module per explorer; ``widgets`` is its old name), ``plots``,
``datasets``, ``exercises`` and ``exercise_checks`` (one module per notebook). The arrows point one way: this package
imports ``mlpops``' instrument (counting, engines, nn, formulas, timing), never the
reverse. The old paths ``mlpops.widgets``, ``mlpops.plots``, ``mlpops.datasets`` and
``mlpops.exercises`` keep working for notebooks saved before the move.
"""

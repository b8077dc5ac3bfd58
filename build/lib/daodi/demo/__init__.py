"""The demo county 太行示范县: a deterministic, fictional data set for trying and measuring daodi.

``build`` turns a seed and a scale into plain rows (``rows``; no database); ``load`` writes
them in one transaction with their audit trail; ``daodi demo`` does both and prints the
logins. To grow the demo (plots, harvests, purchases), add row types to ``rows.County``, a
section method at the end of ``build._Builder.build`` drawing from its own ``self.rng(name)``
(so the existing rows stay as they are), and a loader step that finds the ids it needs in
``load.Loaded``.
"""

"""The demo county 太行示范县: a deterministic, fictional data set for trying and measuring daodi.

``build`` turns a seed and a scale into plain rows (no database); ``load`` writes them in
one transaction with their audit trail; ``daodi demo`` is the command that does both.
"""

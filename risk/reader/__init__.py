"""The article reader: press text in, candidate evidence out, every field with its reason.

Rule-based and transparent on purpose: every vocabulary item is in ``data/lexicon/``, and
every proposed candidate carries the spans of text that set each of its fields, so a reviewer
sees why. Sentences are the unit: a candidate needs a dependent in the sentence and a link to
the vendor (its name or one of its chips) in the sentence or its paragraph, or an in-house or
alternative chip program of that dependent.

Modules, in reading order: ``lexicon`` (the word lists), ``text`` (normalised text and
sentences), ``mentions`` (organisations and chips), ``money`` and ``dates`` (amounts and days
in French or English), ``candidates`` (sentences to proposed evidence; ``read`` runs the
whole chain), ``queue`` (candidates stored for review, accepted or rejected).
"""

"""The clinic's records, beside the decision itself: the handoff store, the PIN and
its lockout, the typed saved result, the consent and SURE kept beside a record, and
the exports (PDF, FHIR, CSV).

Records depend on the decision (:mod:`decision.content`, :mod:`decision.engine`,
:mod:`decision.wording`); the decision never imports from here.
"""

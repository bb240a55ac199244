//! Funding in the JSON API: the ARRS ledger and claims (`arrs`) and the NHS payments to
//! practices (`payments`).

pub(super) mod arrs;
pub(super) mod payments;

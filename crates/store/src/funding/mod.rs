//! Funding: the ARRS ledger, posts, rates and claims (`arrs`) and the NHS payments to
//! practices (`payments`).

pub mod arrs;
pub mod payments;

//! Funding: the ARRS ledger and claims (`arrs`, with the `Funding` facade) and the NHS
//! payments to practices (`payments`).

pub mod arrs;
pub mod payments;

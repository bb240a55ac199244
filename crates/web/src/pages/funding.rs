//! Funding's pages: the ARRS ledger, posts, rates and claims (`arrs`) and the NHS payments
//! to practices (`payments`).

pub(super) mod arrs;
pub(super) mod payments;

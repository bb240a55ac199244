//! Demand: GPAD appointment counts (`appointments`) and the what-if scenarios of a
//! practice or PCN (`scenarios`).

pub mod appointments;
pub mod scenarios;

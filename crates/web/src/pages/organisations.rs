//! Organisations' pages: the system administrator's set-up of ICSs, PCNs and practices
//! (`admin`), and the PCN and ICS pages (`pcn_and_ics`).

pub(super) mod admin;
pub(super) mod pcn_and_ics;

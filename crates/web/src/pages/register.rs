//! The team register's pages: a practice's dashboard, register, vacancies and leave
//! decisions (`practice`), the person form (`staff_form`) and a person's data
//! (`person_data`).

pub(super) mod person_data;
pub(super) mod practice;
pub(super) mod staff_form;

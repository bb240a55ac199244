//! The demo's practice income. The demo practices are fictional, so NHS Digital's *NHS
//! Payments to General Practice* files have no rows for them; rather than invent figures,
//! each demo practice shows the published payments of a real practice of about its size
//! (a non-dispensing practice in Suffolk and North East Essex), and the pages say whose
//! they are. The files in `data/gp_payments` are the published header and those practices'
//! rows, byte for byte (see the README there).

/// The published files, by their published names (each name gives the financial year).
pub const PAYMENTS_FILES: [(&str, &[u8]); 4] = [
    (
        "nhs-payments-gp-practice_2019-20_SNEE.csv",
        include_bytes!("../data/gp_payments/nhs-payments-gp-practice_2019-20_SNEE.csv"),
    ),
    (
        "nhs-payments-gp-practice_2020-21_SNEE.csv",
        include_bytes!("../data/gp_payments/nhs-payments-gp-practice_2020-21_SNEE.csv"),
    ),
    (
        "nhs-payments-gp-practice_2021-22_SNEE.csv",
        include_bytes!("../data/gp_payments/nhs-payments-gp-practice_2021-22_SNEE.csv"),
    ),
    (
        "nhs-payments-gp-practice_2022-23_SNEE.csv",
        include_bytes!("../data/gp_payments/nhs-payments-gp-practice_2022-23_SNEE.csv"),
    ),
];

/// (demo practice, the real practice whose payments it shows): list sizes about 12,400,
/// 9,300 and 8,100 like the demo's.
pub const PAYMENTS_STAND_INS: [(&str, &str); 3] = [
    ("Y99901", "F81133"),
    ("Y99902", "F81091"),
    ("Y99903", "F81017"),
];

/// The demo practice that shows a real practice's published payments.
pub fn demo_practice_for(published_code: &str) -> Option<&'static str> {
    PAYMENTS_STAND_INS
        .iter()
        .find(|(_, real)| *real == published_code)
        .map(|(demo, _)| *demo)
}

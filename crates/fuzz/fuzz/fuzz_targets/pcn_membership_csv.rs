#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz::pcn_membership_csv(data);
});

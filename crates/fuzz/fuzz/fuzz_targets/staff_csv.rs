#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz::staff_csv(data);
});

#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz::rota_instance(data);
});

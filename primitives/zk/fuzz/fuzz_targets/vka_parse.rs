#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aos_zk_fuzz::vka_parse(data));

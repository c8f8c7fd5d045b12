;; wpm_expand returns bytes that are not a token stream (count 1, unknown tag 9, padded to the size of the smallest tree).
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  ;; manifest: one function-like macro `m`
  (data (i32.const 16) "wpmM\01\01\02\01m\00")
  (func (export "wpm_abi_version") (result i32) (i32.const 1))
  (func (export "wpm_manifest") (result i64) (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 10)))
  ;; bump allocator that never grows memory: inputs in these tests are small
  (func (export "wpm_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (data (i32.const 64) "\01\09\00\00\00")
  (func (export "wpm_expand") (param i32 i32 i32) (result i64)
    (i64.or (i64.shl (i64.const 64) (i64.const 32)) (i64.const 5)))
)

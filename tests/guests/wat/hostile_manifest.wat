;; Adversarial manifest: one derive `D` claiming 1000000 helper attributes, each an empty
;; string (one byte on the wire): 1 MB that decodes to a million strings. Refused at load
;; with a clear error; decoding it may cost the host only a bounded multiple of its size.
(module
  (memory (export "memory") 17)
  ;; magic, abi 1, 1 macro, kind 0 (derive), name "D", helper count 1000000 (LEB c0 84 3d)
  (data (i32.const 16) "wpmM\01\01\00\01D\c0\84\3d")
  (func (export "wpm_abi_version") (result i32) (i32.const 1))
  ;; 12 header bytes + 1000000 zero bytes
  (func (export "wpm_manifest") (result i64)
    (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 1000012)))
  (func (export "wpm_alloc") (param i32 i32) (result i32) (i32.const 0))
  (func (export "wpm_expand") (param i32 i32 i32) (result i64) (i64.const 0))
)

;; Adversarial guest: each function-like macro makes the host do as much work, or hold as
;; much memory, as a hostile author could within the ABI. Every one must end quickly with
;; one clear error (or a bounded number of diagnostics and a suppression note).
;;   0 warn_flood      100000 warnings of 1000 bytes each, then an empty output
;;   1 error_flood     100000 errors of 1000 bytes each, then an empty output
;;   2 host_call_loop  asks for the call site's line forever (a loop of cheap host calls)
;;   3 span_flood      asks for `call_site.resolved_at(call_site)` forever (a new span each)
;;   4 deep_output     1000 nested parentheses, each holding 1000 `+` puncts (4 MB)
;;   5 wide_output     4000000 `+` puncts (16 MB, just under the default output limit)
(module
  (import "wpm-1" "span_location" (func $location (param i32 i32) (result i32)))
  (import "wpm-1" "span_resolved_at" (func $resolved_at (param i32 i32) (result i32)))
  (import "wpm-1" "diagnostic" (func $diagnostic (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 8192))
  ;; manifest: magic, abi 1, 6 macros, each kind 2 (function), name, 0 helpers
  (data (i32.const 16) "wpmM\01\06\02\0awarn_flood\00\02\0berror_flood\00\02\0ehost_call_loop\00\02\0aspan_flood\00\02\0bdeep_output\00\02\0bwide_output\00")
  (data (i32.const 1024) "flood ")

  (func (export "wpm_abi_version") (result i32) (i32.const 1))
  (func (export "wpm_manifest") (result i64)
    (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 91)))

  ;; bump allocator inside the first page; outputs go above it (see $grow_to)
  (func (export "wpm_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))

  ;; Makes memory at least $bytes long (from address 65536 on) and returns 65536.
  (func $grow_to (param $bytes i32) (result i32)
    (if (i32.eq (memory.grow (i32.add (i32.shr_u (local.get $bytes) (i32.const 16)) (i32.const 1))) (i32.const -1))
      (then unreachable))
    (i32.const 65536))

  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))

  ;; $n diagnostics of level $level, 1000 bytes each ("flood " then `x`s).
  (func $flood (param $level i32) (param $n i32)
    (memory.fill (i32.const 1030) (i32.const 0x78) (i32.const 994))
    (loop $again
      (call $diagnostic (local.get $level) (i32.const 0) (i32.const 1024) (i32.const 1000))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $again)))

  (func (export "wpm_expand") (param $idx i32) (param $ptr i32) (param $len i32) (result i64)
    (local $out i32) (local $p i32) (local $i i32) (local $level i32)
    (block $b5 (block $b4 (block $b3 (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $b3 $b4 $b5 (local.get $idx)))
      ;; 0: warn_flood (level 1 = warning); the output is an empty stream (one 0 byte)
      (call $flood (i32.const 1) (i32.const 100000))
      (return (call $pack (i32.const 2048) (i32.const 1))))
      ;; 1: error_flood (level 0 = error)
      (call $flood (i32.const 0) (i32.const 100000))
      (return (call $pack (i32.const 2048) (i32.const 1))))
      ;; 2: host_call_loop
      (loop $again (drop (call $location (i32.const 0) (i32.const 0))) (br $again))
      unreachable)
      ;; 3: span_flood
      (loop $again (drop (call $resolved_at (i32.const 0) (i32.const 0))) (br $again))
      unreachable)
      ;; 4: deep_output: per level, count 1001 (LEB 0xe9 0x07), 1000 puncts, a group header
      (local.set $out (call $grow_to (i32.const 4100000)))
      (local.set $p (local.get $out))
      (local.set $level (i32.const 1000))
      (loop $levels
        (i32.store16 (local.get $p) (i32.const 0x07e9))
        (local.set $p (i32.add (local.get $p) (i32.const 2)))
        (local.set $i (i32.const 1000))
        (loop $puncts
          (i32.store (local.get $p) (i32.const 0x002b0002)) ;; tag 2, span 0, '+', alone
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br_if $puncts (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
        ;; tag 0 (group), parenthesis, three spans 0
        (i32.store (local.get $p) (i32.const 0))
        (i32.store8 offset=4 (local.get $p) (i32.const 0))
        (local.set $p (i32.add (local.get $p) (i32.const 5)))
        (br_if $levels (local.tee $level (i32.sub (local.get $level) (i32.const 1)))))
      (i32.store8 (local.get $p) (i32.const 0)) ;; the innermost group is empty
      (return (call $pack (local.get $out) (i32.add (i32.sub (local.get $p) (local.get $out)) (i32.const 1)))))
    ;; 5: wide_output: count 4000000 (LEB 0x80 0x92 0xf4 0x01), then the puncts
    (local.set $out (call $grow_to (i32.const 16000004)))
    (i32.store (local.get $out) (i32.const 0x01f49280))
    (local.set $p (i32.add (local.get $out) (i32.const 4)))
    (local.set $i (i32.const 4000000))
    (loop $puncts
      (i32.store (local.get $p) (i32.const 0x002b0002))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $puncts (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
    (call $pack (local.get $out) (i32.const 16000004)))
)

;; A well-behaved wpm ABI v1 module with five function-like macros:
;;   0 echo          returns its input unchanged
;;   1 source_ident  returns one identifier: the source text of the call-site span
;;   2 diag          emits a warning "careful" at the call site, returns nothing
;;   3 bad_ptr       asks for a span's file into a buffer outside memory (must trap)
;;   4 compute       hashes the input with integer and float ops (NaNs included) and
;;                   returns the hash as an identifier `h0123456789abcdef`
;;   5 count         bumps a counter kept in linear memory (address 240) and returns it as
;;                   an identifier `c1`, `c2`...: always `c1` when every expansion gets a
;;                   fresh instance whose memory starts from the module's image
(module
  (import "wpm-1" "span_source_text" (func $source_text (param i32 i32 i32) (result i32)))
  (import "wpm-1" "span_file" (func $file (param i32 i32 i32) (result i32)))
  (import "wpm-1" "diagnostic" (func $diagnostic (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  ;; manifest: magic, abi 1, 5 macros, each kind 2 (function), name, 0 helpers
  (data (i32.const 16) "wpmM\01\06\02\04echo\00\02\0csource_ident\00\02\04diag\00\02\07bad_ptr\00\02\07compute\00\02\05count\00")
  (data (i32.const 256) "careful")
  (data (i32.const 272) "\00")
  (data (i32.const 288) "0123456789abcdef")

  (func (export "wpm_abi_version") (result i32) (i32.const 1))
  (func (export "wpm_manifest") (result i64)
    (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 63)))

  (func $alloc (export "wpm_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32) (local $end i32) (local $have i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (local.get $have)) (i32.const 16)) (i32.const 1)))
                    (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $end))
    (local.get $p))

  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))

  (func (export "wpm_expand") (param $idx i32) (param $ptr i32) (param $len i32) (result i64)
    (local $out i32) (local $n i32) (local $h i64) (local $i i32)
    ;; function-like macros get request flag 0
    (if (i32.load8_u (local.get $ptr)) (then unreachable))
    (block $b4 (block $b3 (block $b2 (block $b1 (block $b0
      (if (i32.eq (local.get $idx) (i32.const 5))
        (then
          (i32.store (i32.const 240) (i32.add (i32.load (i32.const 240)) (i32.const 1)))
          (local.set $out (call $alloc (i32.const 8) (i32.const 1)))
          (i64.store (local.get $out) (i64.const 0x6302_0000_0101))  ;; bytes 01 01 00 00 02 63: 1 tree, ident, span 0, not raw, len 2, "c"
          (i32.store8 offset=6 (local.get $out) (i32.add (i32.const 0x30) (i32.load (i32.const 240))))
          (return (call $pack (local.get $out) (i32.const 7)))))
      (br_table $b0 $b1 $b2 $b3 $b4 (local.get $idx)))
      ;; 0: echo
      (return (call $pack (i32.add (local.get $ptr) (i32.const 1)) (i32.sub (local.get $len) (i32.const 1)))))
      ;; 1: source_ident
      (local.set $out (call $alloc (i32.const 300) (i32.const 1)))
      (local.set $n (call $source_text (i32.const 0) (i32.add (local.get $out) (i32.const 5)) (i32.const 120)))
      (if (i32.or (i32.lt_s (local.get $n) (i32.const 1)) (i32.gt_s (local.get $n) (i32.const 120))) (then unreachable))
      (i32.store8 (local.get $out) (i32.const 1))
      (i32.store8 offset=1 (local.get $out) (i32.const 1))
      (i32.store8 offset=2 (local.get $out) (i32.const 0))
      (i32.store8 offset=3 (local.get $out) (i32.const 0))
      (i32.store8 offset=4 (local.get $out) (local.get $n))
      (return (call $pack (local.get $out) (i32.add (local.get $n) (i32.const 5)))))
    ;; 2: diag
    (call $diagnostic (i32.const 1) (i32.const 0) (i32.const 256) (i32.const 7))
    (return (call $pack (i32.const 272) (i32.const 1))))
    ;; 3: bad_ptr
    (drop (call $file (i32.const 0) (i32.const 0xfffffff0) (i32.const 100)))
    (return (call $pack (i32.const 272) (i32.const 1))))
    ;; 4: compute
    (local.set $h (i64.const 0xcbf29ce484222325))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (local.set $h (i64.mul (i64.xor (local.get $h) (i64.load8_u (i32.add (local.get $ptr) (local.get $i))))
                             (i64.const 0x100000001b3)))
      ;; sqrt of a negative number is a NaN whose bits differ between CPUs unless canonicalized
      (local.set $h (i64.xor (local.get $h)
        (i64.reinterpret_f64 (f64.sqrt (f64.neg (f64.convert_i64_u (local.get $h)))))))
      (local.set $h (i64.add (local.get $h)
        (i64.reinterpret_f64 (f64.div (f64.convert_i32_u (local.get $i)) (f64.const 3.0)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.set $out (call $alloc (i32.const 32) (i32.const 1)))
    (i32.store8 (local.get $out) (i32.const 1))
    (i32.store8 offset=1 (local.get $out) (i32.const 1))
    (i32.store8 offset=2 (local.get $out) (i32.const 0))
    (i32.store8 offset=3 (local.get $out) (i32.const 0))
    (i32.store8 offset=4 (local.get $out) (i32.const 17))
    (i32.store8 offset=5 (local.get $out) (i32.const 0x68))
    (local.set $i (i32.const 0))
    (loop $hex
      (i32.store8 offset=6 (i32.add (local.get $out) (local.get $i))
        (i32.load8_u offset=288 (i32.wrap_i64 (i64.and (i64.shr_u (local.get $h) (i64.extend_i32_u (i32.sub (i32.const 60) (i32.shl (local.get $i) (i32.const 2))))) (i64.const 15)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $hex (i32.lt_u (local.get $i) (i32.const 16))))
    (call $pack (local.get $out) (i32.const 22)))
)

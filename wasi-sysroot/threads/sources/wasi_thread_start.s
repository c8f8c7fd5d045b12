# Entry point of every thread spawned through `wasi.thread-spawn`.
# Part of the rustc-wasi wasi-threads layer (see pthread_wasi.c).
#
# wasi_thread_start(tid, block): point this instance's stack pointer at
# the block's stack, initialise its TLS block, run the C half, then set
# `block->done` and wake joiners.  Written in assembly because no C frame
# may touch linear memory before `__stack_pointer` is set, nor after
# `done` is set (the block may be freed from then on).

	.text
	.globaltype __stack_pointer, i32
	.functype __wasm_init_tls (i32) -> ()
	.functype __wasilibc_thread_run (i32, i32) -> ()

	.export_name wasi_thread_start, wasi_thread_start
	.globl wasi_thread_start
	.type wasi_thread_start,@function
wasi_thread_start:
	.functype wasi_thread_start (i32, i32) -> ()
	local.get 1
	i32.load 0          # block->stack_top
	global.set __stack_pointer
	local.get 1
	i32.load 4          # block->tls_base
	call __wasm_init_tls
	local.get 0
	local.get 1
	call __wasilibc_thread_run
	local.get 1
	i32.const 1
	i32.atomic.store 8  # block->done = 1
	local.get 1
	i32.const 8
	i32.add
	i32.const -1
	memory.atomic.notify 0
	drop
	end_function

/*
 * rt's exec stub for arm64: a complete static ELF executable, kept as data.
 * See stub_amd64.S for why it exists and what it does; this is the same
 * program. (CI runs x86-64; this one was run under qemu-aarch64 by hand:
 * exec, a failed exec reported, the refusal.)
 */
	.section .rodata
	.balign 16
	.globl rt_stub_image, rt_stub_image_data, rt_stub_image_end

#define BASE 0x400000
#define OFF(sym) ((sym) - rt_stub_image)

rt_stub_image:
	.byte 0x7f, 'E', 'L', 'F', 2, 1, 1, 0
	.quad 0
	.short 2                        /* ET_EXEC */
	.short 183                      /* EM_AARCH64 */
	.long 1
	.quad BASE + OFF(entry)
	.quad 64
	.quad 0
	.long 0
	.short 64, 56, 1, 0, 0, 0
	.long 1, 5                      /* PT_LOAD, read + execute */
	.quad 0, BASE, BASE
	.quad OFF(rt_stub_image_end), OFF(rt_stub_image_end)
	.quad 0x10000

	.balign 4
entry:
	mov	x0, #4                  /* prctl(PR_SET_DUMPABLE, 0) */
	mov	x1, #0
	mov	x8, #167
	svc	#0
	adr	x19, data
	ldr	x0, [x19]               /* fcntl(fd, F_SETFD, FD_CLOEXEC) */
	mov	x1, #2
	mov	x2, #1
	mov	x8, #25
	svc	#0
	cmn	x0, #9                  /* EBADF: started again by its own program */
	b.eq	again
	tbnz	x0, #63, failed         /* the fd would stay open in the program: report */
	add	x0, x19, #16            /* execve(path, argv, envp) */
	ldr	x3, [sp]
	add	x1, sp, #8
	add	x2, x1, x3, lsl #3
	add	x2, x2, #8
	mov	x8, #221
	svc	#0
failed:
	neg	w20, w0                 /* errno */
	sub	sp, sp, #48
	mov	w4, #7                  /* RT_MSG_ERROR */
	str	w4, [sp]
	ldr	x4, [x19, #8]
	str	w4, [sp, #4]
	str	w20, [sp, #8]
	str	wzr, [sp, #12]
	mov	x4, sp
	str	x4, [sp, #16]
	mov	x4, #16
	str	x4, [sp, #24]
	add	x4, x19, #4096
	add	x4, x4, #16             /* text */
	str	x4, [sp, #32]
	mov	x4, #1024
	str	x4, [sp, #40]
	ldr	x0, [x19]               /* writev(fd, iov, 2) */
	add	x1, sp, #16
	mov	x2, #2
	mov	x8, #66
	svc	#0
	mov	x0, #1
	b	out
again:
	mov	x0, #2                  /* write(2, refusal) */
	adr	x1, refusal
	mov	x2, #(refusal_end - refusal)
	mov	x8, #64
	svc	#0
	mov	x0, #126
out:
	mov	x8, #94                 /* exit_group */
	svc	#0
refusal:
	.ascii "rt: the container's program exec'd rt's exec stub (/proc/self/exe): refused\n"
refusal_end:
	.balign 8
rt_stub_image_data:
data:
	.skip 8 + 8 + 4096 + 1024
rt_stub_image_end:

	.section .note.GNU-stack, "", %progbits

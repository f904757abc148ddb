/*
 * rt's exec stub for x86-64: a complete static ELF executable, kept as data.
 *
 * The container's process is a clone of rt, so until it execs, its
 * /proc/self/exe is rt's host binary. If it exec'd the container's program
 * directly, a program that is (or whose interpreter is) /proc/self/exe would
 * make the kernel run the host binary inside the container, where it could
 * be reopened for writing (runc CVE-2019-5736). So the child copies this
 * image into a sealed memfd and execs that instead; the stub then execs the
 * container's program. When the kernel resolves the program, /proc/self/exe
 * is the sealed memfd, never rt.
 *
 * Data (struct rt_stub_data in nsenter.h, filled by the child): the fd to
 * report failure on, the op index, the program's path, the error text.
 * The stub: becomes non-dumpable, marks the report fd close-on-exec (EBADF
 * there means the stub was started again by its own program: refuse; any other
 * failure is reported), execs path with its own argv and envp, and on failure
 * sends an RT_MSG_ERROR.
 */
	.section .rodata
	.balign 16
	.globl rt_stub_image, rt_stub_image_data, rt_stub_image_end

#define BASE 0x400000
#define OFF(sym) ((sym) - rt_stub_image)

rt_stub_image:
	/* ELF header */
	.byte 0x7f, 'E', 'L', 'F', 2, 1, 1, 0
	.quad 0
	.short 2                        /* ET_EXEC */
	.short 62                       /* EM_X86_64 */
	.long 1
	.quad BASE + OFF(entry)
	.quad 64                        /* e_phoff */
	.quad 0                         /* e_shoff */
	.long 0
	.short 64, 56, 1, 0, 0, 0       /* ehsize, phentsize, phnum, shentsize, shnum, shstrndx */
	/* one PT_LOAD, read + execute: the stub writes only on its stack */
	.long 1, 5
	.quad 0, BASE, BASE
	.quad OFF(rt_stub_image_end), OFF(rt_stub_image_end)
	.quad 0x1000

entry:
	mov	$157, %eax              /* prctl(PR_SET_DUMPABLE, 0) */
	mov	$4, %edi
	xor	%esi, %esi
	syscall
	lea	data(%rip), %rbx
	mov	$72, %eax               /* fcntl(fd, F_SETFD, FD_CLOEXEC) */
	mov	(%rbx), %rdi
	mov	$2, %esi
	mov	$1, %edx
	syscall
	cmp	$-9, %rax               /* EBADF: started again by its own program */
	je	again
	test	%rax, %rax              /* the fd would stay open in the program: report */
	js	failed
	mov	$59, %eax               /* execve(path, argv, envp) */
	lea	16(%rbx), %rdi
	mov	(%rsp), %rcx
	lea	8(%rsp), %rsi
	lea	16(%rsp,%rcx,8), %rdx
	syscall
failed:
	neg	%eax                    /* errno */
	sub	$48, %rsp               /* struct rt_msg head, then two iovecs */
	movl	$7, (%rsp)              /* RT_MSG_ERROR */
	mov	8(%rbx), %rcx
	movl	%ecx, 4(%rsp)
	movl	%eax, 8(%rsp)
	movl	$0, 12(%rsp)
	mov	%rsp, 16(%rsp)
	movq	$16, 24(%rsp)
	lea	4112(%rbx), %rcx        /* text */
	mov	%rcx, 32(%rsp)
	movq	$1024, 40(%rsp)
	mov	$20, %eax               /* writev(fd, iov, 2): one packet */
	mov	(%rbx), %rdi
	lea	16(%rsp), %rsi
	mov	$2, %edx
	syscall
	mov	$1, %edi
	jmp	out
again:
	mov	$1, %eax                /* write(2, refusal) */
	mov	$2, %edi
	lea	refusal(%rip), %rsi
	mov	$refusal_end - refusal, %edx
	syscall
	mov	$126, %edi
out:
	mov	$231, %eax              /* exit_group */
	syscall
refusal:
	.ascii "rt: the container's program exec'd rt's exec stub (/proc/self/exe): refused\n"
refusal_end:
	.balign 8
rt_stub_image_data:
data:
	.skip 8 + 8 + 4096 + 1024
rt_stub_image_end:

	.section .note.GNU-stack, "", @progbits

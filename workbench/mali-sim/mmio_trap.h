/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trapped MMIO ranges: register windows of simulated devices.
 *
 * A driver maps a trapped range with ioremap() as it would a real device's
 * registers, but the mapping is left without page-table entries: every
 * access to it faults, and the page-fault handler emulates the instruction
 * (insn_decode_mmio(), as TDX does for its MMIO) by calling the range's
 * read or write callback, then skips it. Test infrastructure only: see
 * CONFIG_X86_MMIO_TRAP.
 */
#ifndef _ASM_X86_MMIO_TRAP_H
#define _ASM_X86_MMIO_TRAP_H

#include <linux/list.h>
#include <linux/types.h>

struct pt_regs;

/**
 * struct mmio_trap_ops - how a simulated device answers register accesses
 * @read: return the value of the @size bytes at @offset of the range
 * @write: store @val, @size bytes wide, at @offset of the range
 * @unmapped: optional; the range's last mapping is gone (its driver let
 *	go of the device): called from iounmap(), in process context
 *
 * @read and @write run in the page-fault handler of the accessing CPU,
 * with interrupts as the accessing code had them (often disabled, possibly
 * in hard-IRQ context): they must not sleep, and may take only IRQ-safe
 * spinlocks.
 */
struct mmio_trap_ops {
	u64 (*read)(void *priv, unsigned long offset, int size);
	void (*write)(void *priv, unsigned long offset, int size, u64 val);
	void (*unmapped)(void *priv);
};

/**
 * struct mmio_trap - a physical range whose mappings trap every access
 * @phys: first byte of the range; page aligned
 * @size: length of the range; a multiple of PAGE_SIZE
 * @ops: the device's callbacks
 * @priv: passed to @ops
 * @node: on the list of registered ranges (private)
 */
struct mmio_trap {
	phys_addr_t phys;
	size_t size;
	const struct mmio_trap_ops *ops;
	void *priv;
	struct list_head node;
};

#ifdef CONFIG_X86_MMIO_TRAP
int mmio_trap_register(struct mmio_trap *trap);
void mmio_trap_unregister(struct mmio_trap *trap);

/* Hooks of ioremap(), iounmap() and the page-fault handler. */
bool mmio_trap_ioremap(phys_addr_t phys, unsigned long size, unsigned long vaddr);
void mmio_trap_iounmap(unsigned long vaddr);
bool mmio_trap_fault(struct pt_regs *regs, unsigned long error_code, unsigned long address);
#else
static inline bool mmio_trap_ioremap(phys_addr_t phys, unsigned long size,
				     unsigned long vaddr)
{
	return false;
}

static inline void mmio_trap_iounmap(unsigned long vaddr)
{
}

static inline bool mmio_trap_fault(struct pt_regs *regs, unsigned long error_code,
				   unsigned long address)
{
	return false;
}
#endif

#endif /* _ASM_X86_MMIO_TRAP_H */

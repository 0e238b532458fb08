// SPDX-License-Identifier: GPL-2.0
/*
 * Trapped MMIO ranges: the register windows of simulated devices.
 *
 * ioremap() of a registered range reserves the virtual range but maps
 * nothing, so that every access to it, from any CPU and from the first one
 * on, takes a page fault. mmio_trap_fault() then decodes the faulting
 * instruction with the decoder TDX uses for MMIO (insn_decode_mmio()), lets
 * the range's owner read or write the register, and skips the instruction:
 * the driver sees a device whose registers change under it, as real
 * hardware's do. Only MOV-class accesses (what readl()/writel() and their
 * relatives compile to) are emulated; anything else oopses as an access to
 * an unmapped address would.
 *
 * Test infrastructure: nothing in a production configuration selects it.
 *
 * Locking: mmio_trap_lock (a mutex) serialises registration and the
 * ioremap()/iounmap() hooks, which run in process context; the fault
 * handler only reads the list of mappings, under RCU.
 */

#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/jump_label.h>

#include <linux/kprobes.h>

#include <asm/insn.h>
#include <asm/insn-eval.h>
#include <asm/mmio_trap.h>
#include <asm/ptrace.h>
#include <asm/trap_pf.h>

/* One ioremap() of (a part of) a registered range. */
struct mmio_trap_mapping {
	struct list_head node;
	struct rcu_head rcu;
	unsigned long vaddr;
	unsigned long size;
	/* Offset of vaddr's first byte in the range. */
	unsigned long offset;
	struct mmio_trap *trap;
};

static DEFINE_MUTEX(mmio_trap_lock);
static LIST_HEAD(mmio_trap_ranges);
static LIST_HEAD(mmio_trap_mappings);
static DEFINE_STATIC_KEY_FALSE(mmio_trap_used);

/**
 * mmio_trap_register() - trap every access to mappings of a physical range
 * @trap: the range and its callbacks; must stay valid until unregistered
 *
 * Only ioremap() calls made after this returns are trapped. The range must
 * not be RAM, and nothing else may map it.
 *
 * Return: 0, or -EINVAL for a range that is not page aligned or overlaps a
 * registered one.
 */
int mmio_trap_register(struct mmio_trap *trap)
{
	struct mmio_trap *t;

	if (!trap->size || !PAGE_ALIGNED(trap->phys) || !PAGE_ALIGNED(trap->size) ||
	    !trap->ops || !trap->ops->read || !trap->ops->write)
		return -EINVAL;

	guard(mutex)(&mmio_trap_lock);
	list_for_each_entry(t, &mmio_trap_ranges, node)
		if (trap->phys < t->phys + t->size && t->phys < trap->phys + trap->size)
			return -EINVAL;
	list_add_tail(&trap->node, &mmio_trap_ranges);
	static_branch_inc(&mmio_trap_used);
	return 0;
}
EXPORT_SYMBOL_GPL(mmio_trap_register);

/**
 * mmio_trap_unregister() - stop trapping a range
 * @trap: a range that mmio_trap_register() accepted
 *
 * Every mapping of the range must have been unmapped: the callbacks may not
 * run any more once this returns.
 */
void mmio_trap_unregister(struct mmio_trap *trap)
{
	struct mmio_trap_mapping *m;

	scoped_guard(mutex, &mmio_trap_lock) {
		list_for_each_entry(m, &mmio_trap_mappings, node)
			WARN(m->trap == trap, "mmio_trap: range %pa unregistered while mapped at %lx\n",
			     &trap->phys, m->vaddr);
		list_del(&trap->node);
	}
	static_branch_dec(&mmio_trap_used);
}
EXPORT_SYMBOL_GPL(mmio_trap_unregister);

/*
 * ioremap() hook: when [phys, phys + size) lies in a registered range, note
 * the mapping and return true, and ioremap() leaves the virtual range
 * unmapped. Runs in process context, like ioremap() itself.
 */
bool mmio_trap_ioremap(phys_addr_t phys, unsigned long size, unsigned long vaddr)
{
	struct mmio_trap_mapping *m;
	struct mmio_trap *t;

	if (!static_branch_unlikely(&mmio_trap_used))
		return false;

	guard(mutex)(&mmio_trap_lock);
	list_for_each_entry(t, &mmio_trap_ranges, node) {
		if (phys < t->phys || phys + size > t->phys + t->size)
			continue;
		m = kzalloc_obj(*m);
		if (!m) {
			/* Mapped for real, the device would silently not answer. */
			pr_err("mmio_trap: no memory to trap the mapping of %pa\n", &phys);
			return false;
		}
		m->vaddr = vaddr;
		m->size = size;
		m->offset = phys - t->phys;
		m->trap = t;
		list_add_tail_rcu(&m->node, &mmio_trap_mappings);
		return true;
	}
	return false;
}

/* iounmap() hook, before the virtual range is released. */
void mmio_trap_iounmap(unsigned long vaddr)
{
	struct mmio_trap_mapping *m;

	if (!static_branch_unlikely(&mmio_trap_used))
		return;

	vaddr &= PAGE_MASK;
	guard(mutex)(&mmio_trap_lock);
	list_for_each_entry(m, &mmio_trap_mappings, node) {
		if (m->vaddr == vaddr) {
			struct mmio_trap *trap = m->trap;

			list_del_rcu(&m->node);
			kfree_rcu(m, rcu);
			list_for_each_entry(m, &mmio_trap_mappings, node)
				if (m->trap == trap)
					return;
			if (trap->ops->unmapped)
				trap->ops->unmapped(trap->priv);
			return;
		}
	}
}

/* Emulate the MMIO instruction at regs->ip; false if it is not one. */
static bool mmio_trap_emulate(struct pt_regs *regs, struct mmio_trap_mapping *m,
			      unsigned long address)
{
	const struct mmio_trap_ops *ops = m->trap->ops;
	unsigned long offset = address - m->vaddr;
	unsigned long *reg = NULL;
	enum insn_mmio_type type;
	struct insn insn;
	int size;
	u64 val;

	if (insn_decode_kernel(&insn, (void *)regs->ip))
		return false;
	type = insn_decode_mmio(&insn, &size);
	if (type == INSN_MMIO_DECODE_FAILED || type == INSN_MMIO_MOVS)
		return false;
	if (offset + size > m->size)
		return false;
	if (type != INSN_MMIO_WRITE_IMM) {
		reg = insn_get_modrm_reg_ptr(&insn, regs);
		if (!reg)
			return false;
	}
	offset += m->offset;

	switch (type) {
	case INSN_MMIO_WRITE:
		val = 0;
		memcpy(&val, reg, size);
		ops->write(m->trap->priv, offset, size, val);
		break;
	case INSN_MMIO_WRITE_IMM:
		val = insn.immediate.value;
		if (size < 8)
			val &= BIT_ULL(size * 8) - 1;
		ops->write(m->trap->priv, offset, size, val);
		break;
	case INSN_MMIO_READ:
		insn_assign_reg(reg, ops->read(m->trap->priv, offset, size), size);
		break;
	case INSN_MMIO_READ_ZERO_EXTEND:
		val = ops->read(m->trap->priv, offset, size);
		insn_assign_reg(reg, val, insn.opnd_bytes);
		break;
	case INSN_MMIO_READ_SIGN_EXTEND:
		val = ops->read(m->trap->priv, offset, size);
		if (size == 1)
			val = (s64)(s8)val;
		else
			val = (s64)(s16)val;
		insn_assign_reg(reg, val, insn.opnd_bytes);
		break;
	default:
		return false;
	}
	regs->ip += insn.length;
	return true;
}

/**
 * mmio_trap_fault() - the page-fault handler's hook
 * @regs: the faulting context
 * @error_code: the fault's X86_PF_* bits
 * @address: the faulting address
 *
 * Only data accesses to a not-present page are emulated: an instruction
 * fetch from a register window (a jump into it) oopses as it would
 * anywhere unmapped, instead of faulting again on its own decoding.
 *
 * Return: true if the fault was an access to a trapped mapping and has been
 * emulated; the faulting instruction has then been skipped.
 */
bool mmio_trap_fault(struct pt_regs *regs, unsigned long error_code, unsigned long address)
{
	struct mmio_trap_mapping *m;

	if (!static_branch_unlikely(&mmio_trap_used) || user_mode(regs) ||
	    (error_code & (X86_PF_PROT | X86_PF_RSVD | X86_PF_INSTR)))
		return false;

	guard(rcu)();
	list_for_each_entry_rcu(m, &mmio_trap_mappings, node) {
		if (address - m->vaddr >= m->size)
			continue;
		if (mmio_trap_emulate(regs, m, address))
			return true;
		pr_err_ratelimited("mmio_trap: cannot emulate the access at %pS to %lx\n",
				   (void *)regs->ip, address);
		return false;
	}
	return false;
}

/* It runs in the page-fault path, as kmmio's handler does. */
NOKPROBE_SYMBOL(mmio_trap_fault);

// SPDX-License-Identifier: GPL-2.0
/*
 * mali-sim's GPU: a kthread that runs the job chains of the job slots
 * through the page tables panfrost programmed.
 *
 * Each address space is walked as the Mali MMU walks it in panfrost's
 * format (io-pgtable's ARM_MALI_LPAE: four levels of 512 entries, tables
 * of type 3, blocks and level-3 pages of type 1, read and write permission
 * in bits 6 and 7, no access flag). A virtual address without a valid
 * entry stalls the job and raises a real MMU fault interrupt with
 * AS_FAULTSTATUS and AS_FAULTADDRESS set; the job retries when panfrost
 * has handled the fault and flushed, and fails when panfrost disables the
 * address space instead.
 *
 * Job descriptors are Mali's (struct mali_job_descriptor_header, as IGT's
 * lib/panfrost-job.h and Mesa's genxml define it). The GPU runs NULL and
 * WRITE_VALUE jobs, follows next_job, checks that a job is not run twice
 * (a non-zero exception_status is DATA_INVALID_FAULT) and writes the header
 * back (exception_status DONE, fault_pointer 0) unless JS_CONFIG asks it
 * not to. Other job types end the chain with JOB_CONFIG_FAULT: there are
 * no shader cores here.
 *
 * Jobs run only while the L2 and shader cores are powered on; the driver's
 * unbind (mali_sim_unmapped()) powers them off and drops every job.
 *
 * One job runs at a time, under mali_sim.lock: an MMU command cannot
 * overlap a walk, so once FLUSH_PT has returned no job uses the old
 * tables. After 64 jobs in a row on one chain the GPU naps, so that a
 * chain that never ends (IGT's job loop) runs into panfrost's timeout
 * without taking a CPU for itself.
 */

#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/unaligned.h>

#include "../panfrost/panfrost_regs.h"
#include "mali_sim.h"

#define MALI_SIM_PA_MASK	GENMASK_ULL(39, 12)	/* 40-bit physical addresses */
#define MALI_PTE_TYPE_MASK	3
#define MALI_PTE_TYPE_BLOCK	1	/* also a level-3 page in Mali's format */
#define MALI_PTE_TYPE_TABLE	3
#define MALI_PTE_READ		BIT_ULL(6)
#define MALI_PTE_WRITE		BIT_ULL(7)
#define MALI_SIM_BURST		64

#define MALI_JOB_HEADER_SIZE	32
#define MALI_ACCESS_READ	2
#define MALI_ACCESS_WRITE	3

/* Where and why a job's memory access faulted. */
struct mali_sim_fault {
	u64 va;
	u32 exception;
	bool write;
};

bool mali_sim_as_enabled(const struct mali_sim_as *as)
{
	/* AS_TRANSTAB's ADRMODE is TABLE; panfrost disables with zero. */
	return (as->transtab & 3) == 3;
}

/* The level-3 or block entry that maps @va; 0 and @fault set if none. */
static int mali_sim_translate(const struct mali_sim_as *as, u64 va, bool write,
			      phys_addr_t *pa, struct mali_sim_fault *fault)
{
	phys_addr_t table = as->transtab & MALI_SIM_PA_MASK;
	unsigned int lvl;

	fault->va = va;
	fault->write = write;
	for (lvl = 0; lvl < 4; lvl++) {
		unsigned int shift = 39 - 9 * lvl;
		u64 pte, type;

		if (va >> 48 || !pfn_valid(PHYS_PFN(table)))
			break;
		pte = READ_ONCE(((u64 *)phys_to_virt(table))[(va >> shift) & 0x1ff]);
		type = pte & MALI_PTE_TYPE_MASK;
		if (lvl < 3 && type == MALI_PTE_TYPE_TABLE) {
			table = pte & MALI_SIM_PA_MASK;
			continue;
		}
		if (type != MALI_PTE_TYPE_BLOCK || lvl == 0)
			break;
		if (!(pte & (write ? MALI_PTE_WRITE : MALI_PTE_READ))) {
			fault->exception = MALI_EXC_PERM_FAULT(lvl);
			return -EFAULT;
		}
		*pa = (pte & MALI_SIM_PA_MASK & GENMASK_ULL(39, shift)) |
		      (va & (BIT_ULL(shift) - 1));
		return 0;
	}
	fault->exception = MALI_EXC_TRANSLATION_FAULT(min(lvl, 3u) + 1);
	return -EFAULT;
}

/* Copy between @buf and GPU virtual memory, page by page. */
static int mali_sim_access(const struct mali_sim_as *as, u64 va, void *buf, size_t len,
			   bool write, struct mali_sim_fault *fault)
{
	while (len) {
		size_t chunk = min_t(size_t, len, PAGE_SIZE - offset_in_page(va));
		phys_addr_t pa;
		void *p;

		if (mali_sim_translate(as, va, write, &pa, fault))
			return -EFAULT;
		if (!pfn_valid(PHYS_PFN(pa))) {
			/* Not RAM: a GPU would see a bus error. */
			fault->exception = MALI_EXC_TRANSLATION_FAULT(4);
			return -EFAULT;
		}
		p = kmap_local_pfn(PHYS_PFN(pa));
		if (write)
			memcpy(p + offset_in_page(pa), buf, chunk);
		else
			memcpy(buf, p + offset_in_page(pa), chunk);
		kunmap_local(p);
		va += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/* A WRITE_VALUE job's payload, after the header. */
static int mali_sim_write_value(const struct mali_sim_as *as, u64 job, u32 *exception,
				struct mali_sim_fault *fault)
{
	u8 payload[24];
	unsigned int width;
	u64 out, value;
	__le64 le;

	if (mali_sim_access(as, job + MALI_JOB_HEADER_SIZE, payload, sizeof(payload), false, fault))
		return -EFAULT;
	out = get_unaligned_le64(payload);
	value = get_unaligned_le64(payload + 16);
	switch (get_unaligned_le32(payload + 8)) {
	case MALI_WRITE_VALUE_CYCLE_COUNTER:
	case MALI_WRITE_VALUE_TIMESTAMP:
		value = ktime_get_ns();
		width = 8;
		break;
	case MALI_WRITE_VALUE_ZERO:
		value = 0;
		width = 8;
		break;
	case MALI_WRITE_VALUE_IMMEDIATE_8:
		width = 1;
		break;
	case MALI_WRITE_VALUE_IMMEDIATE_16:
		width = 2;
		break;
	case MALI_WRITE_VALUE_IMMEDIATE_32:
		width = 4;
		break;
	case MALI_WRITE_VALUE_IMMEDIATE_64:
		width = 8;
		break;
	default:
		*exception = MALI_EXC_JOB_CONFIG_FAULT;
		return 0;
	}
	le = cpu_to_le64(value);
	return mali_sim_access(as, out, &le, width, true, fault);
}

/*
 * Run the job at the slot's JS_TAIL. Return 0 with *next set (0: the chain
 * ended) or *exception set (the chain failed), or -EFAULT with @fault set.
 */
static int mali_sim_run_job(const struct mali_sim_as *as, u64 job, u32 config, u64 *next,
			    u32 *exception, struct mali_sim_fault *fault)
{
	u8 header[MALI_JOB_HEADER_SIZE];
	/* exception_status, first_incomplete_task and fault_pointer */
	u8 done[16] = { MALI_EXC_DONE };

	*exception = 0;
	if (mali_sim_access(as, job, header, sizeof(header), false, fault))
		return -EFAULT;
	if (get_unaligned_le32(header)) {
		/* A job that already ran. */
		*exception = MALI_EXC_DATA_INVALID_FAULT;
		return 0;
	}
	switch (header[16] >> 1) {
	case MALI_JOB_TYPE_NULL:
		break;
	case MALI_JOB_TYPE_WRITE_VALUE:
		if (mali_sim_write_value(as, job, exception, fault))
			return -EFAULT;
		if (*exception)
			return 0;
		break;
	default:
		*exception = MALI_EXC_JOB_CONFIG_FAULT;
		return 0;
	}
	*next = header[16] & 1 ? get_unaligned_le64(header + 24) : get_unaligned_le32(header + 24);
	if (!(config & JS_CONFIG_DISABLE_DESCRIPTOR_WR_BK) &&
	    mali_sim_access(as, job, done, sizeof(done), true, fault))
		return -EFAULT;
	return 0;
}

/* Run one job of slot @js. */
static void mali_sim_step_locked(struct mali_sim *sim, unsigned int js)
{
	struct mali_sim_slot *s = &sim->slot[js];
	unsigned int asn = s->config & 0xf;
	struct mali_sim_fault fault = {};
	struct mali_sim_as *as;
	u32 exception;
	u64 next = 0;

	lockdep_assert_held(&sim->lock);
	if (asn >= MALI_SIM_AS || !mali_sim_as_enabled(&sim->as[asn])) {
		mali_sim_slot_done_locked(sim, js, MALI_EXC_TRANSLATION_FAULT(1));
		return;
	}
	as = &sim->as[asn];
	if (mali_sim_run_job(as, s->tail, s->config, &next, &exception, &fault)) {
		as->faultstatus = fault.exception |
				  (fault.write ? MALI_ACCESS_WRITE : MALI_ACCESS_READ) << 8;
		as->faultaddress = fault.va;
		sim->mmu_rawstat |= BIT(asn);
		s->stalled = true;
		return;
	}
	sim->jobs_run++;
	if (exception)
		mali_sim_slot_done_locked(sim, js, exception);
	else if (!next)
		mali_sim_slot_done_locked(sim, js, MALI_EXC_DONE);
	else
		s->tail = next;
}

/**
 * mali_sim_gpu_thread() - the GPU
 * @data: the struct mali_sim
 *
 * Runs one job at a time of the slots that have one, round robin, and
 * sleeps when none has.
 *
 * Return: 0 when stopped.
 */
int mali_sim_gpu_thread(void *data)
{
	struct mali_sim *sim = data;

	while (!kthread_should_stop()) {
		unsigned long rising;
		bool ran = false, nap = false;
		unsigned int i;

		raw_spin_lock_irq(&sim->lock);
		for (i = 0; i < MALI_SIM_SLOTS; i++) {
			unsigned int js = (sim->next_slot + i) % MALI_SIM_SLOTS;
			struct mali_sim_slot *s = &sim->slot[js];

			/* Jobs run on powered shader cores only. */
			if (!s->active || s->stalled || !sim->shader_ready || !sim->l2_ready)
				continue;
			mali_sim_step_locked(sim, js);
			nap = ++s->burst % MALI_SIM_BURST == 0;
			sim->next_slot = (js + 1) % MALI_SIM_SLOTS;
			ran = true;
			break;
		}
		if (!ran)
			set_current_state(TASK_INTERRUPTIBLE);
		rising = mali_sim_update_lines_locked(sim);
		raw_spin_unlock_irq(&sim->lock);
		mali_sim_raise(sim, rising);

		if (!ran && kthread_should_stop())
			__set_current_state(TASK_RUNNING);
		else if (!ran)
			schedule();
		else if (nap)
			usleep_range(500, 1000);
		else
			cond_resched();
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mali-sim: a simulated Mali-T860 for panfrost on x86 guests (test only).
 *
 * The register window is a trapped MMIO range (asm/mmio_trap.h): every
 * readl()/writel() of panfrost lands in mali_sim_read()/mali_sim_write()
 * (mali_sim_regs.c). Interrupts go through an irq_sim domain, so that
 * panfrost's handlers run on the kernel's real IRQ path. A kthread (the
 * GPU, mali_sim_gpu.c) runs job chains through the page tables panfrost
 * programmed. mali_sim_dev.c creates the device panfrost probes.
 *
 * Locking: one raw spinlock, mali_sim.lock, IRQ-safe, protects the whole
 * model. Register accesses take it in the page-fault handler of the
 * accessing CPU; the GPU takes it for each job it runs, so an MMU command
 * never overlaps a page-table walk. Interrupt lines are raised after it is
 * dropped.
 */
#ifndef _MALI_SIM_H_
#define _MALI_SIM_H_

#include <linux/of.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <asm/mmio_trap.h>

#define MALI_SIM_REGS_SIZE	SZ_64K	/* rk3399's "reg" for its Mali */
#define MALI_SIM_STORE_SIZE	SZ_16K	/* registers that keep what is written */
#define MALI_SIM_SLOTS		3
#define MALI_SIM_AS		8

/* The interrupt lines, in the order of their irq_sim hwirqs. */
enum mali_sim_line { MALI_SIM_IRQ_JOB, MALI_SIM_IRQ_MMU, MALI_SIM_IRQ_GPU, MALI_SIM_IRQS };

/* Job types the GPU runs (job_type of struct mali_job_descriptor_header). */
#define MALI_JOB_TYPE_NULL		1
#define MALI_JOB_TYPE_WRITE_VALUE	2

/* WRITE_VALUE payload types (Mesa's genxml, "Write Value Type"). */
#define MALI_WRITE_VALUE_CYCLE_COUNTER	1
#define MALI_WRITE_VALUE_TIMESTAMP	2
#define MALI_WRITE_VALUE_ZERO		3
#define MALI_WRITE_VALUE_IMMEDIATE_8	4
#define MALI_WRITE_VALUE_IMMEDIATE_16	5
#define MALI_WRITE_VALUE_IMMEDIATE_32	6
#define MALI_WRITE_VALUE_IMMEDIATE_64	7

/* Exception codes (panfrost_device.h's DRM_PANFROST_EXCEPTION_*). */
#define MALI_EXC_DONE			0x01
#define MALI_EXC_STOPPED		0x03
#define MALI_EXC_TERMINATED		0x04
#define MALI_EXC_ACTIVE			0x08
#define MALI_EXC_JOB_CONFIG_FAULT	0x40
#define MALI_EXC_DATA_INVALID_FAULT	0x58
#define MALI_EXC_TRANSLATION_FAULT(l)	(0xc0 + (l))
#define MALI_EXC_PERM_FAULT(l)		(0xc8 + (l))

/**
 * struct mali_sim_slot - a job slot: the chain it runs and the one queued
 * @active: a chain is current (JS_STATE bit js)
 * @head: JS_HEAD, first job of the current chain
 * @tail: JS_TAIL, the job the slot runs next (or stopped or faulted at)
 * @affinity: JS_AFFINITY
 * @config: JS_CONFIG; bits 3:0 are the address space, bit 11 the chain flag
 * @status: JS_STATUS, an exception code
 * @stalled: the current job waits for the MMU fault of its address space
 *	to be handled (or its address space to be disabled)
 * @command_next: JS_COMMAND_NEXT: START until the slot takes the job
 * @burst: jobs run back to back on this chain; the GPU naps after a burst
 */
struct mali_sim_slot {
	bool active;
	u64 head;
	u64 tail;
	u64 affinity;
	u32 config;
	u32 status;
	bool stalled;
	u32 command_next;
	unsigned int burst;
};

/**
 * struct mali_sim_as - an MMU address space
 * @transtab: AS_TRANSTAB as last latched by AS_COMMAND_UPDATE
 * @transcfg: AS_TRANSCFG as last latched
 * @faultstatus: AS_FAULTSTATUS
 * @faultaddress: AS_FAULTADDRESS
 */
struct mali_sim_as {
	u64 transtab;
	u64 transcfg;
	u32 faultstatus;
	u64 faultaddress;
};

/**
 * struct mali_sim - the simulated GPU and its device
 * @lock: protects everything below down to @as (see the file comment)
 * @store: registers that keep the last value written (NEXT registers, AS
 *	setup, configuration), indexed by offset / 4
 * @gpu_rawstat: GPU_INT_RAWSTAT
 * @gpu_mask: GPU_INT_MASK
 * @l2_ready: L2_READY_LO
 * @shader_ready: SHADER_READY_LO
 * @tiler_ready: TILER_READY_LO
 * @cycle_count_users: CYCLE_COUNT_START minus CYCLE_COUNT_STOP
 * @job_rawstat: JOB_INT_RAWSTAT
 * @job_mask: JOB_INT_MASK
 * @mmu_rawstat: MMU_INT_RAWSTAT
 * @mmu_mask: MMU_INT_MASK
 * @slot: the job slots
 * @as: the address spaces
 * @lines: the interrupt lines' levels, as last raised
 * @next_slot: where the GPU looks for work first, round robin
 * @jobs_run: jobs the GPU has run (debugfs-free statistics, for the log)
 * @trap: the trapped register window
 * @gpu: the kthread that runs jobs
 * @virq: the Linux IRQ numbers of the lines
 * @domain: the irq_sim domain
 * @fwnode: the domain's fwnode
 * @np: the device tree node panfrost matches
 * @ocs: the changeset that added @np
 * @pdev: the platform device panfrost binds to
 */
struct mali_sim {
	raw_spinlock_t lock;
	u32 store[MALI_SIM_STORE_SIZE / 4];
	u32 gpu_rawstat;
	u32 gpu_mask;
	u32 l2_ready;
	u32 shader_ready;
	u32 tiler_ready;
	int cycle_count_users;
	u32 job_rawstat;
	u32 job_mask;
	u32 mmu_rawstat;
	u32 mmu_mask;
	struct mali_sim_slot slot[MALI_SIM_SLOTS];
	struct mali_sim_as as[MALI_SIM_AS];
	unsigned long lines;
	unsigned int next_slot;
	u64 jobs_run;

	struct mmio_trap trap;
	struct task_struct *gpu;
	unsigned int virq[MALI_SIM_IRQS];
	struct irq_domain *domain;
	struct fwnode_handle *fwnode;
	struct device_node *np;
	struct of_changeset ocs;
	struct platform_device *pdev;
};

/* mali_sim_regs.c */
extern const struct mmio_trap_ops mali_sim_mmio_ops;
void mali_sim_reset_locked(struct mali_sim *sim);
unsigned long mali_sim_update_lines_locked(struct mali_sim *sim);
void mali_sim_raise(struct mali_sim *sim, unsigned long rising);
void mali_sim_slot_done_locked(struct mali_sim *sim, unsigned int js, u32 status);

/* mali_sim_gpu.c */
int mali_sim_gpu_thread(void *data);
bool mali_sim_as_enabled(const struct mali_sim_as *as);

#endif /* _MALI_SIM_H_ */

// SPDX-License-Identifier: GPL-2.0
/*
 * mali-sim's register file: what panfrost reads and writes, with the side
 * effects a Mali-T860 r2p0 (rk3399) gives them.
 *
 * Register offsets and bits are panfrost's own (panfrost_regs.h), so that
 * the model and the driver cannot disagree on a name. Values of the ID and
 * feature registers are those rk3399 boards report. Every access runs in
 * the page-fault handler of the accessing CPU (asm/mmio_trap.h), under
 * mali_sim.lock: a write takes effect before the next instruction of the
 * driver, as the driver expects (a JOB_INT_CLEAR is followed at once by a
 * read of JOB_INT_RAWSTAT).
 */

#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sizes.h>

#include "../panfrost/panfrost_regs.h"
#include "mali_sim.h"

#define T860_GPU_ID		0x08602000	/* Mali-T860 r2p0 */
#define T860_L2_FEATURES	0x07120206
#define T860_TILER_FEATURES	0x00000809
#define T860_MEM_FEATURES	0x00000001
#define T860_MMU_FEATURES	0x00002830	/* 48-bit VA, 40-bit PA */
#define T860_AS_PRESENT		0xff
#define T860_JS_PRESENT		0x7
#define T860_SHADER_PRESENT	0xf
#define T860_TILER_PRESENT	0x1
#define T860_L2_PRESENT		0x1
#define T860_MAX_THREADS	256

static const u32 t860_texture_features[] = { 0x00fe001e, 0x0000ffff, 0x9f81ffff };
static const u32 t860_js_features[] = { 0x0000020e, 0x000001fe, 0x0000007e };

static u64 mali_sim_store64(struct mali_sim *sim, unsigned int lo)
{
	return sim->store[lo / 4] | (u64)sim->store[lo / 4 + 1] << 32;
}

static void mali_sim_slot_try_start_locked(struct mali_sim *sim, unsigned int js)
{
	struct mali_sim_slot *s = &sim->slot[js];

	lockdep_assert_held(&sim->lock);
	if (s->active || s->command_next != JS_COMMAND_START ||
	    (sim->job_rawstat & JOB_INT_MASK_ERR(js)))
		return;
	s->command_next = JS_COMMAND_NOP;
	s->active = true;
	s->stalled = false;
	s->burst = 0;
	s->head = mali_sim_store64(sim, JS_HEAD_NEXT_LO(js));
	s->tail = s->head;
	s->affinity = mali_sim_store64(sim, JS_AFFINITY_NEXT_LO(js));
	s->config = sim->store[JS_CONFIG_NEXT(js) / 4];
	s->status = MALI_EXC_ACTIVE;
	wake_up_process(sim->gpu);
}

/**
 * mali_sim_slot_done_locked() - the current chain of a slot has ended
 * @sim: the GPU
 * @js: the slot
 * @status: MALI_EXC_DONE, or why it stopped (an exception code)
 *
 * Raises DONE or ERR. After DONE the slot takes its queued job at once, as
 * the job manager does without waiting for the interrupt to be handled;
 * after ERR only once the driver cleared ERR.
 */
void mali_sim_slot_done_locked(struct mali_sim *sim, unsigned int js, u32 status)
{
	struct mali_sim_slot *s = &sim->slot[js];

	lockdep_assert_held(&sim->lock);
	s->active = false;
	s->stalled = false;
	s->status = status;
	sim->job_rawstat |= status == MALI_EXC_DONE ? JOB_INT_MASK_DONE(js) : JOB_INT_MASK_ERR(js);
	mali_sim_slot_try_start_locked(sim, js);
}

/**
 * mali_sim_reset_locked() - the state after a soft or hard reset
 * @sim: the GPU
 *
 * Every register returns to its reset value (zero: interrupts masked, cores
 * off, address spaces unmapped, slots idle); jobs in flight are dropped.
 */
void mali_sim_reset_locked(struct mali_sim *sim)
{
	lockdep_assert_held(&sim->lock);
	memset(sim->store, 0, sizeof(sim->store));
	sim->gpu_rawstat = 0;
	sim->gpu_mask = 0;
	sim->l2_ready = 0;
	sim->shader_ready = 0;
	sim->tiler_ready = 0;
	sim->cycle_count_users = 0;
	sim->job_rawstat = 0;
	sim->job_mask = 0;
	sim->mmu_rawstat = 0;
	sim->mmu_mask = 0;
	memset(sim->slot, 0, sizeof(sim->slot));
	memset(sim->as, 0, sizeof(sim->as));
}

/**
 * mali_sim_update_lines_locked() - the interrupt lines after a change
 * @sim: the GPU
 *
 * The lines are level triggered on Mali (high while RAWSTAT & MASK is not
 * zero); irq_sim only delivers edges. So each rising level is an edge to
 * raise, and a line still high after a write to its CLEAR or MASK register
 * is raised again (mali_sim_write()).
 *
 * Return: the lines (BIT(enum mali_sim_line)) to raise with mali_sim_raise()
 * once the lock is dropped.
 */
unsigned long mali_sim_update_lines_locked(struct mali_sim *sim)
{
	unsigned long level = 0, rising;

	lockdep_assert_held(&sim->lock);
	if (sim->job_rawstat & sim->job_mask)
		level |= BIT(MALI_SIM_IRQ_JOB);
	if (sim->mmu_rawstat & sim->mmu_mask)
		level |= BIT(MALI_SIM_IRQ_MMU);
	if (sim->gpu_rawstat & sim->gpu_mask)
		level |= BIT(MALI_SIM_IRQ_GPU);
	rising = level & ~sim->lines;
	sim->lines = level;
	return rising;
}

/**
 * mali_sim_raise() - raise interrupt lines through the kernel's IRQ path
 * @sim: the GPU
 * @rising: lines from mali_sim_update_lines_locked()
 *
 * Context: any but NMI; mali_sim.lock not held.
 */
void mali_sim_raise(struct mali_sim *sim, unsigned long rising)
{
	unsigned int line;

	for_each_set_bit(line, &rising, MALI_SIM_IRQS)
		irq_set_irqchip_state(sim->virq[line], IRQCHIP_STATE_PENDING, true);
}

static u32 mali_sim_read_slot(struct mali_sim *sim, unsigned int offset)
{
	unsigned int js = (offset - JS_BASE) / JS_SLOT_STRIDE;
	struct mali_sim_slot *s = &sim->slot[js];

	switch (offset - JS_BASE - js * JS_SLOT_STRIDE) {
	case 0x00: return lower_32_bits(s->head);
	case 0x04: return upper_32_bits(s->head);
	case 0x08: return lower_32_bits(s->tail);
	case 0x0c: return upper_32_bits(s->tail);
	case 0x10: return lower_32_bits(s->affinity);
	case 0x14: return upper_32_bits(s->affinity);
	case 0x18: return s->config;
	case 0x20: return 0;	/* JS_COMMAND is write-only */
	case 0x24: return s->status;
	case 0x60: return s->command_next;
	default: return sim->store[offset / 4];
	}
}

static u32 mali_sim_read_as(struct mali_sim *sim, unsigned int offset)
{
	unsigned int as = (offset - MMU_BASE) >> MMU_AS_SHIFT;

	switch (offset - MMU_AS(as)) {
	case 0x18: return 0;	/* AS_COMMAND is write-only */
	case 0x1c: return sim->as[as].faultstatus;
	case 0x20: return lower_32_bits(sim->as[as].faultaddress);
	case 0x24: return upper_32_bits(sim->as[as].faultaddress);
	case 0x28: return 0;	/* AS_STATUS: commands complete at once */
	default: return sim->store[offset / 4];
	}
}

static u32 mali_sim_read_locked(struct mali_sim *sim, unsigned int offset)
{
	u32 js_state = 0;
	unsigned int js;

	switch (offset) {
	case GPU_ID: return T860_GPU_ID;
	case GPU_L2_FEATURES: return T860_L2_FEATURES;
	case GPU_CORE_FEATURES: return 0;
	case GPU_TILER_FEATURES: return T860_TILER_FEATURES;
	case GPU_MEM_FEATURES: return T860_MEM_FEATURES;
	case GPU_MMU_FEATURES: return T860_MMU_FEATURES;
	case GPU_AS_PRESENT: return T860_AS_PRESENT;
	case GPU_JS_PRESENT: return T860_JS_PRESENT;
	case GPU_INT_RAWSTAT: return sim->gpu_rawstat;
	case GPU_INT_MASK: return sim->gpu_mask;
	case GPU_INT_STAT: return sim->gpu_rawstat & sim->gpu_mask;
	case GPU_STATUS: return 0;
	case GPU_LATEST_FLUSH_ID: return 0;
	case GPU_FAULT_STATUS: return 0;
	case GPU_FAULT_ADDRESS_LO: return 0;
	case GPU_FAULT_ADDRESS_HI: return 0;
	/* The cycle counter and the timestamp tick at 1 GHz. */
	case GPU_CYCLE_COUNT_LO: return lower_32_bits(ktime_get_ns());
	case GPU_CYCLE_COUNT_HI: return upper_32_bits(ktime_get_ns());
	case GPU_TIMESTAMP_LO: return lower_32_bits(ktime_get_ns());
	case GPU_TIMESTAMP_HI: return upper_32_bits(ktime_get_ns());
	case GPU_THREAD_MAX_THREADS: return T860_MAX_THREADS;
	case GPU_THREAD_MAX_WORKGROUP_SIZE: return T860_MAX_THREADS;
	case GPU_THREAD_MAX_BARRIER_SIZE: return T860_MAX_THREADS;
	case GPU_THREAD_FEATURES: return 0;
	case GPU_THREAD_TLS_ALLOC: return 0;
	case GPU_TEXTURE_FEATURES(0): return t860_texture_features[0];
	case GPU_TEXTURE_FEATURES(1): return t860_texture_features[1];
	case GPU_TEXTURE_FEATURES(2): return t860_texture_features[2];
	case GPU_JS_FEATURES(0): return t860_js_features[0];
	case GPU_JS_FEATURES(1): return t860_js_features[1];
	case GPU_JS_FEATURES(2): return t860_js_features[2];
	case GPU_SHADER_PRESENT_LO: return T860_SHADER_PRESENT;
	case GPU_TILER_PRESENT_LO: return T860_TILER_PRESENT;
	case GPU_L2_PRESENT_LO: return T860_L2_PRESENT;
	case SHADER_READY_LO: return sim->shader_ready;
	case TILER_READY_LO: return sim->tiler_ready;
	case L2_READY_LO: return sim->l2_ready;
	/* Power transitions are instant. */
	case SHADER_PWRTRANS_LO: case TILER_PWRTRANS_LO: case L2_PWRTRANS_LO: return 0;
	case JOB_INT_RAWSTAT: return sim->job_rawstat;
	case JOB_INT_MASK: return sim->job_mask;
	case JOB_INT_STAT: return sim->job_rawstat & sim->job_mask;
	case JOB_INT_JS_STATE:
		for (js = 0; js < MALI_SIM_SLOTS; js++) {
			if (sim->slot[js].active)
				js_state |= BIT(js);
			if (sim->slot[js].command_next == JS_COMMAND_START)
				js_state |= BIT(js + 16);
		}
		return js_state;
	case MMU_INT_RAWSTAT: return sim->mmu_rawstat;
	case MMU_INT_MASK: return sim->mmu_mask;
	case MMU_INT_STAT: return sim->mmu_rawstat & sim->mmu_mask;
	}
	if (offset >= JS_BASE && offset < JS_BASE + MALI_SIM_SLOTS * JS_SLOT_STRIDE)
		return mali_sim_read_slot(sim, offset);
	if (offset >= MMU_BASE && offset < MMU_AS(MALI_SIM_AS))
		return mali_sim_read_as(sim, offset);
	if (offset < MALI_SIM_STORE_SIZE)
		return sim->store[offset / 4];
	return 0;
}

static void mali_sim_gpu_command_locked(struct mali_sim *sim, u32 cmd)
{
	switch (cmd) {
	case GPU_CMD_SOFT_RESET:
	case GPU_CMD_HARD_RESET:
		mali_sim_reset_locked(sim);
		sim->gpu_rawstat |= GPU_IRQ_RESET_COMPLETED;
		break;
	case GPU_CMD_PERFCNT_SAMPLE:
		/* No counters are simulated: the dump buffer keeps its zeroes. */
		sim->gpu_rawstat |= GPU_IRQ_PERFCNT_SAMPLE_COMPLETED;
		break;
	case GPU_CMD_CYCLE_COUNT_START:
		sim->cycle_count_users++;
		break;
	case GPU_CMD_CYCLE_COUNT_STOP:
		sim->cycle_count_users--;
		break;
	case GPU_CMD_CLEAN_CACHES:
	case GPU_CMD_CLEAN_INV_CACHES:
		/* The GPU writes memory directly: there is nothing to clean. */
		sim->gpu_rawstat |= GPU_IRQ_CLEAN_CACHES_COMPLETED;
		break;
	}
}

static void mali_sim_power_locked(struct mali_sim *sim, u32 *ready, u32 present, u32 mask, bool on)
{
	if (on) {
		*ready |= mask & present;
		/* Jobs wait for powered cores. */
		wake_up_process(sim->gpu);
	} else {
		*ready &= ~mask;
	}
	sim->gpu_rawstat |= GPU_IRQ_POWER_CHANGED | GPU_IRQ_POWER_CHANGED_ALL;
}

static void mali_sim_slot_command_locked(struct mali_sim *sim, unsigned int js, u32 cmd)
{
	struct mali_sim_slot *s = &sim->slot[js];
	bool chain_flag = s->config & JS_CONFIG_JOB_CHAIN_FLAG;

	if (!s->active)
		return;
	switch (cmd) {
	case JS_COMMAND_SOFT_STOP_0:
	case JS_COMMAND_HARD_STOP_0:
		if (chain_flag)
			return;
		break;
	case JS_COMMAND_SOFT_STOP_1:
	case JS_COMMAND_HARD_STOP_1:
		if (!chain_flag)
			return;
		break;
	}
	switch (cmd) {
	case JS_COMMAND_SOFT_STOP:
	case JS_COMMAND_SOFT_STOP_0:
	case JS_COMMAND_SOFT_STOP_1:
		/* Stopped between two jobs: JS_TAIL is where to resume. */
		mali_sim_slot_done_locked(sim, js, MALI_EXC_STOPPED);
		break;
	case JS_COMMAND_HARD_STOP:
	case JS_COMMAND_HARD_STOP_0:
	case JS_COMMAND_HARD_STOP_1:
		mali_sim_slot_done_locked(sim, js, MALI_EXC_TERMINATED);
		break;
	}
}

static void mali_sim_as_command_locked(struct mali_sim *sim, unsigned int as, u32 cmd)
{
	struct mali_sim_as *a = &sim->as[as];
	bool resume = false, enabled;
	unsigned int js;

	switch (cmd) {
	case AS_COMMAND_UPDATE:
		a->transtab = mali_sim_store64(sim, AS_TRANSTAB_LO(as));
		a->transcfg = mali_sim_store64(sim, AS_TRANSCFG_LO(as));
		resume = true;
		break;
	case AS_COMMAND_UNLOCK:
	case AS_COMMAND_FLUSH_PT:
		resume = true;
		break;
	}
	if (!resume)
		return;

	/*
	 * A job stalled on a fault of this address space retries once the
	 * fault is cleared and the tables flushed, and fails once the address
	 * space is disabled (as panfrost does after a fault it cannot handle).
	 */
	enabled = mali_sim_as_enabled(a);
	for (js = 0; js < MALI_SIM_SLOTS; js++) {
		struct mali_sim_slot *s = &sim->slot[js];

		if (!s->active || !s->stalled || (s->config & 0xf) != as)
			continue;
		if (!enabled) {
			mali_sim_slot_done_locked(sim, js, a->faultstatus & 0xff);
		} else if (!(sim->mmu_rawstat & (BIT(as) | BIT(as + 16)))) {
			s->stalled = false;
			wake_up_process(sim->gpu);
		}
	}
}

static void mali_sim_write_locked(struct mali_sim *sim, unsigned int offset, u32 val)
{
	unsigned int js, as;

	switch (offset) {
	case GPU_INT_CLEAR:
		sim->gpu_rawstat &= ~val;
		return;
	case GPU_INT_MASK:
		sim->gpu_mask = val;
		return;
	case GPU_CMD:
		mali_sim_gpu_command_locked(sim, val);
		return;
	case L2_PWRON_LO:
		mali_sim_power_locked(sim, &sim->l2_ready, T860_L2_PRESENT, val, true);
		return;
	case SHADER_PWRON_LO:
		mali_sim_power_locked(sim, &sim->shader_ready, T860_SHADER_PRESENT, val, true);
		return;
	case TILER_PWRON_LO:
		mali_sim_power_locked(sim, &sim->tiler_ready, T860_TILER_PRESENT, val, true);
		return;
	case L2_PWROFF_LO:
		mali_sim_power_locked(sim, &sim->l2_ready, T860_L2_PRESENT, val, false);
		return;
	case SHADER_PWROFF_LO:
		mali_sim_power_locked(sim, &sim->shader_ready, T860_SHADER_PRESENT, val, false);
		return;
	case TILER_PWROFF_LO:
		mali_sim_power_locked(sim, &sim->tiler_ready, T860_TILER_PRESENT, val, false);
		return;
	case JOB_INT_CLEAR:
		sim->job_rawstat &= ~val;
		/* A slot whose ERR is cleared may take its queued job. */
		for (js = 0; js < MALI_SIM_SLOTS; js++)
			if (val & JOB_INT_MASK_ERR(js))
				mali_sim_slot_try_start_locked(sim, js);
		return;
	case JOB_INT_MASK:
		sim->job_mask = val;
		return;
	case MMU_INT_CLEAR:
		sim->mmu_rawstat &= ~val;
		return;
	case MMU_INT_MASK:
		sim->mmu_mask = val;
		return;
	}
	for (js = 0; js < MALI_SIM_SLOTS; js++) {
		if (offset == JS_COMMAND_NEXT(js)) {
			sim->slot[js].command_next = val == JS_COMMAND_START ? val : JS_COMMAND_NOP;
			mali_sim_slot_try_start_locked(sim, js);
			return;
		}
		if (offset == JS_COMMAND(js)) {
			mali_sim_slot_command_locked(sim, js, val);
			return;
		}
	}
	for (as = 0; as < MALI_SIM_AS; as++) {
		if (offset == AS_COMMAND(as)) {
			mali_sim_as_command_locked(sim, as, val);
			return;
		}
	}
	if (offset < MALI_SIM_STORE_SIZE)
		sim->store[offset / 4] = val;
}

static u64 mali_sim_read(void *priv, unsigned long offset, int size)
{
	struct mali_sim *sim = priv;
	unsigned long flags;
	u32 val;

	/* Mali registers are 32 bits wide; other accesses read as zero. */
	if (size != 4 || offset % 4)
		return 0;
	raw_spin_lock_irqsave(&sim->lock, flags);
	val = mali_sim_read_locked(sim, offset);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return val;
}

/* The line whose INT_CLEAR or INT_MASK is at @offset, or -1. */
static int mali_sim_line_of(unsigned int offset)
{
	switch (offset) {
	case JOB_INT_CLEAR:
	case JOB_INT_MASK:
		return MALI_SIM_IRQ_JOB;
	case MMU_INT_CLEAR:
	case MMU_INT_MASK:
		return MALI_SIM_IRQ_MMU;
	case GPU_INT_CLEAR:
	case GPU_INT_MASK:
		return MALI_SIM_IRQ_GPU;
	}
	return -1;
}

static void mali_sim_write(void *priv, unsigned long offset, int size, u64 val)
{
	struct mali_sim *sim = priv;
	unsigned long flags, rising;
	int line;

	if (size != 4 || offset % 4)
		return;
	raw_spin_lock_irqsave(&sim->lock, flags);
	mali_sim_write_locked(sim, offset, val);
	rising = mali_sim_update_lines_locked(sim);
	/*
	 * A level line that is still high after its handler cleared or
	 * unmasked something asks again: panfrost's GPU handler never masks,
	 * and an event that arrives while it runs (CLEAN_CACHES after a
	 * perfcnt sample) would otherwise never be delivered.
	 */
	line = mali_sim_line_of(offset);
	if (line >= 0 && (sim->lines & BIT(line)))
		rising |= BIT(line);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	mali_sim_raise(sim, rising);
}

/*
 * The driver let go of the GPU (unbind): it is off until a driver maps it
 * again, as a board's GPU is without its driver's clocks and power.
 */
static void mali_sim_unmapped(void *priv)
{
	struct mali_sim *sim = priv;
	unsigned long rising;

	raw_spin_lock_irq(&sim->lock);
	mali_sim_reset_locked(sim);
	rising = mali_sim_update_lines_locked(sim);
	raw_spin_unlock_irq(&sim->lock);
	mali_sim_raise(sim, rising);
}

const struct mmio_trap_ops mali_sim_mmio_ops = {
	.read = mali_sim_read,
	.write = mali_sim_write,
	.unmapped = mali_sim_unmapped,
};

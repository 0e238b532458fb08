// SPDX-License-Identifier: GPL-2.0
/*
 * mali-sim's device: what panfrost's real probe binds to on an x86 guest.
 *
 * With mali_sim.enable=1 on the kernel command line, at late_initcall:
 * - a free 64 KiB physical range, above 4 GiB and below the CPU's physical
 *   address limit, becomes the GPU's register window, trapped
 *   (asm/mmio_trap.h): panfrost ioremaps it as it would a board's;
 * - an irq_sim domain gives the three interrupt lines, named "job", "mmu"
 *   and "gpu" as in a Mali's device tree node;
 * - a device tree node "gpu@..." with rk3399's compatibles (a Mali-T860,
 *   the GPU of drm-ci's rk3399-gru-kevin), and "dma-coherent" unless
 *   mali_sim.coherent=0, is added under the root that x86 kernels built
 *   with CONFIG_OF have;
 * - a platform device for that node, with the window and the lines as its
 *   resources: panfrost's dt_match finds it and panfrost_probe() runs.
 *
 * What panfrost's probe gets from this machine instead of a board: a
 * fixed 200 MHz clock looked up by the device's name (with
 * CONFIG_COMMON_CLK, which the kit's kernel has for lima; without it
 * devm_clk_get() gives the NULL clock), no regulators (CONFIG_REGULATOR
 * off: stubs), no operating points (no table, so devfreq stays off), no
 * resets, no power domains, no IOMMU (DMA addresses are physical ones).
 * docs/panfrost.md lists it.
 *
 * Test infrastructure only: CONFIG_DRM_MALI_SIM.
 */

#include <linux/clk-provider.h>
#include <linux/clkdev.h>
#include <linux/interrupt.h>
#include <linux/ioport.h>
#include <linux/irq.h>
#include <linux/irq_sim.h>
#include <linux/irqdomain.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include <asm/processor.h>

#include "mali_sim.h"

static bool enable;
module_param(enable, bool, 0444);
MODULE_PARM_DESC(enable, "Add the simulated Mali-T860 at boot (default: no)");

static bool coherent = true;
module_param(coherent, bool, 0444);
MODULE_PARM_DESC(coherent, "Mark the GPU dma-coherent (default: yes)");

static const char *const mali_sim_compatible[] = { "rockchip,rk3399-mali", "arm,mali-t860" };
static const char *const mali_sim_irq_names[MALI_SIM_IRQS] = {
	[MALI_SIM_IRQ_JOB] = "job",
	[MALI_SIM_IRQ_MMU] = "mmu",
	[MALI_SIM_IRQ_GPU] = "gpu",
};

/* A free physical range for the register window: no RAM, no device. */
static int mali_sim_find_window(phys_addr_t *phys)
{
	struct resource probe = { .name = "mali-sim", .flags = IORESOURCE_MEM };
	resource_size_t max = (1ULL << boot_cpu_data.x86_phys_bits) - 1;
	int err;

	err = allocate_resource(&iomem_resource, &probe, MALI_SIM_REGS_SIZE, SZ_4G, max,
				MALI_SIM_REGS_SIZE, NULL, NULL);
	if (err)
		return err;
	*phys = probe.start;
	/* The platform device claims it again right away. */
	release_resource(&probe);
	return 0;
}

static int mali_sim_add_node(struct mali_sim *sim, phys_addr_t phys)
{
	char name[32];
	int err;

	if (!of_root)
		return -ENODEV;
	snprintf(name, sizeof(name), "gpu@%llx", (unsigned long long)phys);
	of_changeset_init(&sim->ocs);
	sim->np = of_changeset_create_node(&sim->ocs, of_root, name);
	if (!sim->np)
		return -ENOMEM;
	err = of_changeset_add_prop_string_array(&sim->ocs, sim->np, "compatible",
						 mali_sim_compatible,
						 ARRAY_SIZE(mali_sim_compatible));
	if (!err && coherent)
		err = of_changeset_add_prop_bool(&sim->ocs, sim->np, "dma-coherent");
	/* The device is created below, not by the OF platform notifier. */
	of_node_set_flag(sim->np, OF_POPULATED);
	if (!err)
		err = of_changeset_apply(&sim->ocs);
	if (err)
		of_changeset_destroy(&sim->ocs);
	return err;
}

/*
 * The GPU's clock, as a board's clock controller gives it: panfrost's probe
 * takes it with devm_clk_get(dev, NULL) and reads its rate. It lives as
 * long as the simulated GPU: for good, once added (also when adding the
 * device fails after it: an unused fixed clock).
 */
static int mali_sim_add_clock(void)
{
	struct clk_hw *hw;
	int err;

	if (!IS_ENABLED(CONFIG_COMMON_CLK))
		return 0;
	hw = clk_hw_register_fixed_rate(NULL, "mali-sim-gpu", NULL, 0, 200000000);
	if (IS_ERR(hw))
		return PTR_ERR(hw);
	err = clk_hw_register_clkdev(hw, NULL, "mali-sim");
	if (err)
		clk_hw_unregister_fixed_rate(hw);
	return err;
}

static int mali_sim_add_device(struct mali_sim *sim, phys_addr_t phys)
{
	struct resource res[1 + MALI_SIM_IRQS] = {
		DEFINE_RES_MEM(phys, MALI_SIM_REGS_SIZE),
	};
	unsigned int i;
	int err;

	for (i = 0; i < MALI_SIM_IRQS; i++)
		res[1 + i] = DEFINE_RES_IRQ_NAMED(sim->virq[i], mali_sim_irq_names[i]);
	sim->pdev = platform_device_alloc("mali-sim", PLATFORM_DEVID_NONE);
	if (!sim->pdev)
		return -ENOMEM;
	/* platform_device_release() puts it. */
	device_set_node(&sim->pdev->dev, fwnode_handle_get(of_fwnode_handle(sim->np)));
	err = platform_device_add_resources(sim->pdev, res, ARRAY_SIZE(res));
	if (!err)
		err = platform_device_add(sim->pdev);
	if (err) {
		platform_device_put(sim->pdev);
		sim->pdev = NULL;
	}
	return err;
}

static int __init mali_sim_init(void)
{
	struct mali_sim *sim;
	phys_addr_t phys;
	unsigned int i;
	int err;

	if (!enable)
		return 0;
	sim = kzalloc_obj(*sim);
	if (!sim)
		return -ENOMEM;
	raw_spin_lock_init(&sim->lock);

	err = mali_sim_find_window(&phys);
	if (err)
		goto err_free;
	sim->trap.phys = phys;
	sim->trap.size = MALI_SIM_REGS_SIZE;
	sim->trap.ops = &mali_sim_mmio_ops;
	sim->trap.priv = sim;
	err = mmio_trap_register(&sim->trap);
	if (err)
		goto err_free;

	err = -ENOMEM;
	sim->fwnode = irq_domain_alloc_named_fwnode("mali-sim");
	if (!sim->fwnode)
		goto err_trap;
	sim->domain = irq_domain_create_sim(sim->fwnode, MALI_SIM_IRQS);
	if (IS_ERR(sim->domain)) {
		err = PTR_ERR(sim->domain);
		goto err_fwnode;
	}
	for (i = 0; i < MALI_SIM_IRQS; i++) {
		sim->virq[i] = irq_create_mapping(sim->domain, i);
		if (!sim->virq[i])
			goto err_domain;
	}

	sim->gpu = kthread_run(mali_sim_gpu_thread, sim, "mali-sim-gpu");
	if (IS_ERR(sim->gpu)) {
		err = PTR_ERR(sim->gpu);
		goto err_domain;
	}

	err = mali_sim_add_clock();
	if (err)
		goto err_gpu;
	err = mali_sim_add_node(sim, phys);
	if (err)
		goto err_gpu;
	err = mali_sim_add_device(sim, phys);
	if (err)
		goto err_node;
	pr_info("mali-sim: Mali-T860 r2p0 at %pa, %scoherent, IRQs %u (job) %u (mmu) %u (gpu)\n",
		&phys, coherent ? "" : "not ", sim->virq[MALI_SIM_IRQ_JOB],
		sim->virq[MALI_SIM_IRQ_MMU], sim->virq[MALI_SIM_IRQ_GPU]);
	return 0;

err_node:
	of_changeset_revert(&sim->ocs);
	of_changeset_destroy(&sim->ocs);
err_gpu:
	kthread_stop(sim->gpu);
err_domain:
	for (i = 0; i < MALI_SIM_IRQS; i++)
		if (sim->virq[i])
			irq_dispose_mapping(sim->virq[i]);
	irq_domain_remove_sim(sim->domain);
err_fwnode:
	irq_domain_free_fwnode(sim->fwnode);
err_trap:
	mmio_trap_unregister(&sim->trap);
err_free:
	kfree(sim);
	pr_err("mali-sim: not added: %d\n", err);
	return err;
}
late_initcall(mali_sim_init);

import { graphInventory } from './graph-inventory.js';
import { buildInventory, type Inventory, type InventoryOptions } from './inventory.js';
import type { Lockfile } from './load-lockfile.js';

/** The inventory of any supported lockfile: npm's by install path, yarn's and pnpm's by graph. */
export function lockfileInventory(lock: Lockfile, options: InventoryOptions = {}): Inventory {
  return lock.format === 'npm' ? buildInventory(lock, options) : graphInventory(lock, options);
}

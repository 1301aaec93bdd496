// A tiny order service for `heapdive check` tests. Each call of globalThis.handleOrders()
// serves 50 orders. With LEAK=1 it keeps every order's audit entry in a Map that is never
// trimmed (the leak); without, it keeps the last 50 (a bounded cache, not a leak).
const { EventEmitter } = require('events');
class Order { constructor(id) { this.id = id; this.lines = [{ sku: 'sku-' + id, qty: id % 5 }]; } }
const audit = new Map();
const bus = new EventEmitter();
let next = 0;
globalThis.handleOrders = async () => {
  for (let i = 0; i < 50; i++) {
    const order = new Order(next++);
    audit.set('order-' + order.id, order);
    if (process.env.LEAK !== '1' && audit.size > 50) audit.delete(audit.keys().next().value);
    bus.emit('order', order);
  }
  await new Promise((r) => setTimeout(r, 5));
  return audit.size;
};
globalThis.ready = true;
if (process.env.CRASH === '1') setTimeout(() => process.exit(7), 300);
setInterval(() => {}, 1 << 30); // keeps the process alive

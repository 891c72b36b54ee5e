// The plugin facades keep a plugin inside the store it names: an order of store A cannot be linked
// to store B's checkout, so PluginCheckouts.findByOrder / closeForOrder / forOrder never read or
// invalidate another store's checkout, and get/cancel/setMetadata/setArchived answer 404 for it.
import { PluginCheckouts, PluginOrderLinks } from '../../src/plugin-api';
import { startTestApp, TestApp } from '../support/test-app';

describe('plugin facades: one store at a time', () => {
  let t: TestApp;
  let checkouts: PluginCheckouts;
  let links: PluginOrderLinks;
  let storeA: string;
  let storeB: string;
  let checkoutOfB: string;

  beforeAll(async () => {
    t = await startTestApp();
    storeA = (await t.createStore('A')).storeId;
    const b = await t.createStore('B');
    storeB = b.storeId;
    checkoutOfB = (
      (
        await t.http
          .post('/api/v1/checkouts')
          .set({ Authorization: `token ${b.apiKey}` })
          .send({ amount: 100, orderId: 'b-1' })
          .expect(201)
      ).body as { id: string }
    ).id;
    checkouts = t.app.get(PluginCheckouts);
    links = t.app.get(PluginOrderLinks);
  });
  afterAll(() => t?.close());

  it("refuses to link an order of one store to another store's checkout", async () => {
    await expect(links.link('sample', storeA, 'a-1', checkoutOfB, null)).rejects.toMatchObject({ code: 'checkout_not_found' });
    expect(await links.findByOrder('sample', storeA, 'a-1')).toBeNull();
    // Had it been linked, these would read and cancel store B's checkout for store A.
    expect(await checkouts.findByOrder('sample', storeA, 'a-1')).toBeNull();
    expect(await checkouts.closeForOrder('sample', storeA, 'a-1')).toBeNull();
    expect((await checkouts.get(storeB, checkoutOfB)).status).toBe('New');
  });

  it("answers 404 checkout_not_found for another store's checkout, and changes nothing", async () => {
    for (const attempt of [
      () => checkouts.get(storeA, checkoutOfB),
      () => checkouts.cancel(storeA, checkoutOfB),
      () => checkouts.setMetadata(storeA, checkoutOfB, { metadata: { x: 1 }, orderId: 'stolen' }),
      () => checkouts.setArchived(storeA, checkoutOfB, true),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'checkout_not_found', status: 404 });
    }
    expect(await checkouts.get(storeB, checkoutOfB)).toMatchObject({ status: 'New', orderId: 'b-1', archived: false, metadata: null });
    expect((await checkouts.list({ storeId: storeA })).map((c) => c.id)).not.toContain(checkoutOfB);
  });
});

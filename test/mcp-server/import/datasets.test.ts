import { describe, expect, it } from "vitest";
import { importFile } from "../../../mcp-server/import/importFile.js";
import { datasetFile, ONLINE_RETAIL_IMPORT } from "../../helpers/datasets.js";
import { useTempStore } from "../../helpers/tempStore.js";

const cdnow = datasetFile("cdnow/CDNOW_master.txt");
const onlineRetail = datasetFile("online-retail/OnlineRetail.csv");

describe.skipIf(cdnow.missing !== null)(
  `CDNOW master file${cdnow.missing ? ` (skipped: ${cdnow.missing})` : ""}`,
  () => {
    it("imports all 69,659 transactions of the 23,570 CDNOW customers", async () => {
      const { store } = await useTempStore();
      const report = await importFile(store, {
        kind: "transactions",
        file: cdnow.path,
        format: "whitespace",
      });
      // 255 lines repeat an earlier line exactly (same customer, day, CDs and value): they are
      // separate purchases and are all kept.
      expect(report).toMatchObject({
        committed: true,
        errorCount: 0,
        rowsRead: 69_659,
        inserted: 69_659,
        duplicates: 0,
        customersCreated: 23_570,
      });
      expect(await store.counts()).toMatchObject({ customers: 23_570, transactions: 69_659 });
      const totals = await store.db.get(
        "SELECT ROUND(SUM(amount), 2) AS revenue, SUM(quantity) AS cds FROM transactions",
      );
      expect(totals).toEqual({ revenue: 2_500_315.63, cds: 167_881 });
      // The cohort made its first purchase in the first quarter of 1997.
      const acquired = await store.db.get(
        "SELECT MIN(acquired_at) AS first, MAX(acquired_at) AS last, COUNT(acquired_at) AS n FROM customers",
      );
      expect(acquired).toEqual({ first: "1997-01-01T00:00:00Z", last: "1997-03-25T00:00:00Z", n: 23_570 });
      expect(
        await store.db.all(
          `SELECT occurred_at, quantity, amount FROM transactions
           WHERE customer_id = (SELECT id FROM customers WHERE external_id = '00001')`,
        ),
      ).toEqual([{ occurred_at: "1997-01-01T00:00:00Z", quantity: 1, amount: 11.77 }]);

      const again = await importFile(store, { kind: "transactions", file: cdnow.path, format: "whitespace" });
      expect(again).toMatchObject({ committed: true, inserted: 0, duplicates: 69_659, customersCreated: 0 });
      expect(await store.counts()).toMatchObject({ customers: 23_570, transactions: 69_659 });
    });
  },
);

describe.skipIf(onlineRetail.missing !== null)(
  `UCI Online Retail invoices${onlineRetail.missing ? ` (skipped: ${onlineRetail.missing})` : ""}`,
  () => {
    it("imports the invoices of 4,372 customers and skips the 3,722 rows without a customer", async () => {
      const { store } = await useTempStore();
      const report = await importFile(store, { ...ONLINE_RETAIL_IMPORT, file: onlineRetail.path });
      // 25,943 rows: 3,722 have the customer id "(blank)" and are skipped, leaving 22,221. Of
      // those, 31 repeat an invoice number seen on an earlier row (an invoice whose items were
      // exported under two consecutive minutes, e.g. 536591 at 16:57 and 16:58); they merge into
      // that invoice by InvoiceNo, so 22,221 - 31 = 22,190 transactions, one per invoice.
      expect(report).toMatchObject({
        committed: true,
        errorCount: 0,
        rowsRead: 25_943,
        skippedWithoutCustomer: 3_722,
        inserted: 22_190,
        duplicates: 0,
        customersCreated: 4_372,
      });
      expect(report.mapping).toMatchObject({ country: "Country" });
      expect(await store.counts()).toMatchObject({ customers: 4_372, transactions: 22_190 });

      // The two rows of invoice 536591: 81 × 2.7826 = 225.39 at 16:57 and 12 × 3.89 = 46.68 at 16:58.
      expect(
        await store.db.get(
          `SELECT t.occurred_at, t.amount, t.quantity, c.external_id AS customer, c.country
           FROM transactions t JOIN customers c ON c.id = t.customer_id WHERE t.external_id = '536591'`,
        ),
      ).toEqual({
        occurred_at: "2010-12-01T16:57:00Z",
        amount: 272.07,
        quantity: 93,
        customer: "14606",
        country: "United Kingdom",
      });
      // Cancellations ("C" invoices, negative quantities) are kept as negative transactions.
      const returns = await store.db.get(
        "SELECT COUNT(*) AS n, MAX(amount) < 0 AS allNegative FROM transactions WHERE external_id LIKE 'C%'",
      );
      expect(returns).toEqual({ n: 3_654, allNegative: 1 });
      const span = await store.db.get(
        "SELECT MIN(occurred_at) AS first, MAX(occurred_at) AS last FROM transactions",
      );
      expect(span).toEqual({ first: "2010-12-01T08:26:00Z", last: "2011-12-09T12:50:00Z" });
    });
  },
);

-- Executions claimed and not committed since (a step in progress, or a dead node's): few at any
-- time, so next_due reads them apart from the free executions' rows, which it walks in due order.
CREATE INDEX executions_leased ON executions (lease_until) WHERE lease_until IS NOT NULL;

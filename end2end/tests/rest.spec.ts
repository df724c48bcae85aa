import { expect, test } from '@playwright/test';
import { admin } from '../playwright.config';

// The REST contract as a client sees it, against the real server.

const basic = 'Basic ' + Buffer.from(`${admin.username}:${admin.password}`).toString('base64');

test('a token generated with a password reads the OpenAPI document, which an independent validator accepts', async ({ request }) => {
  const created = await request.post('/v4/apiAccessTokens', {
    headers: { Authorization: basic },
    data: { lifetimeSeconds: 600, description: 'OpenAPI check' },
  });
  expect(created.status()).toBe(201);
  const { tokenValue } = await created.json();

  const response = await request.get('/v4/open-api-spec', { headers: { Authorization: `Bearer ${tokenValue}` } });
  expect(response.status()).toBe(200);
  const spec = await response.json();

  // The validator is an ES module; Playwright compiles the tests to CommonJS.
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  const validator = new Validator();
  const result = await validator.validate(spec);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(Object.keys(spec.paths)).toContain('/v4/apiAccessTokens');
});

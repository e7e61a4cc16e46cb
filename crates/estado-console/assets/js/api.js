// The public Step Functions API (awsJson1_0): POST / with X-Amz-Target. The console reads and
// changes everything through this, exactly as the AWS CLI or an SDK would.

export class ApiError extends Error {
  constructor(type, message, status) {
    super(message || type);
    this.type = type;
    this.status = status;
  }
}

export async function call(operation, input = {}) {
  let response;
  try {
    response = await fetch('/', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `AWSStepFunctions.${operation}`,
      },
      body: JSON.stringify(input),
    });
  } catch (e) {
    throw new ApiError('NetworkError', `The server cannot be reached: ${e.message}`, 0);
  }
  const text = await response.text();
  let body = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError('BadResponse', text.slice(0, 200), response.status);
  }
  if (!response.ok) {
    // AWS may prefix the code with a namespace ("com.amazonaws...#StateMachineDoesNotExist").
    const type = String(body.__type || 'Error').split('#').pop();
    throw new ApiError(type, body.message || body.Message || type, response.status);
  }
  return body;
}

// Every page of a paginated operation: yields each page's list (`key`) in order.
export async function* pages(operation, input, key) {
  let nextToken;
  do {
    const page = await call(operation, nextToken ? { ...input, nextToken } : input);
    yield page[key] || [];
    nextToken = page.nextToken;
  } while (nextToken);
}

export async function all(operation, input, key, limit = Infinity) {
  const out = [];
  for await (const page of pages(operation, input, key)) {
    out.push(...page);
    if (out.length >= limit) break;
  }
  return out;
}

// Timestamps are epoch seconds with a fraction on the wire.
export const toDate = (seconds) => (seconds == null ? null : new Date(seconds * 1000));

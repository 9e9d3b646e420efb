import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultSidecarAgentConfig } from '../../actors/sidecar/sidecar.js';
import { resolveSidecarConfig } from '../../actors/sidecar/config.js';
import { formatGoDuration, parseGoDuration } from '../../actors/sidecar/duration.js';
import { buildDns, buildServiceNode, methodsFromGrpcServices } from '../../actors/sidecar/node.js';
import { ConfigError } from '../../errors/base.js';
import { serviceOptions } from './helpers/peer.js';

test('methodsFromGrpcServices: grpc-js definitions and Go-style descriptors, sorted and unique', () => {
  const grpcJs = {
    Get: { path: '/shop.Orders/Get', requestStream: false },
    Watch: { path: '/shop.Orders/Watch', requestStream: false },
  };
  const goStyle = { serviceName: 'shop.Orders', methods: [{ methodName: 'Get' }], streams: [{ streamName: 'Tail' }] };
  assert.equal(methodsFromGrpcServices([grpcJs, goStyle, null as never, 42 as never]), ['/shop.Orders/Get', '/shop.Orders/Tail', '/shop.Orders/Watch']);
  assert.equal(methodsFromGrpcServices({ orders: grpcJs }), ['/shop.Orders/Get', '/shop.Orders/Watch']);
  assert.equal(methodsFromGrpcServices(undefined), []);
});

test('buildDns: labels lowered and reduced to DNS characters', () => {
  assert.is(buildDns({ app: { id: 'Shop_EU', instanceId: 'x' }, service: { name: 'Orders API' } }), 'orders-api.shop-eu.svc.local');
  assert.is(buildDns({ app: { id: 'shop', instanceId: 'x' }, service: { name: 'orders', domain: 'corp.internal' } }), 'orders.shop.corp.internal');
});

test('buildServiceNode: snake_case nested keys, counts and methods', () => {
  const node = buildServiceNode(serviceOptions, { services: [{ serviceName: 'a.B', methods: [{ methodName: 'C' }] }], runDate: new Date(0) });
  assert.equal(node.app, { id: 'shop', instance_id: 'shop-1', region: 'eu' });
  assert.is(node.run_date, '1970-01-01T00:00:00.000Z');
  assert.is(node.proto_count, 1);
  assert.equal(node.methods, ['/a.B/C']);
});

test('Go durations both ways', () => {
  assert.is(parseGoDuration('10s'), 10_000);
  assert.is(parseGoDuration('1m30s'), 90_000);
  assert.is(parseGoDuration('1.5s'), 1500);
  assert.is(parseGoDuration('250ms'), 250);
  assert.is(parseGoDuration('0'), 0);
  assert.throws(() => parseGoDuration('ten seconds'), (e: unknown) => e instanceof ConfigError);
  assert.throws(() => parseGoDuration(''), (e: unknown) => e instanceof ConfigError);
  assert.is(formatGoDuration(10_000), '10s');
  assert.is(formatGoDuration(1500), '1500ms');
});

test('defaults are the seed\'s; bad config is a ConfigError naming the field', () => {
  const defaults = defaultSidecarAgentConfig();
  assert.is(defaults.baseUrl, 'http://127.0.0.1:15010');
  assert.is(defaults.requestTimeoutMs, 3000);
  assert.is(defaults.reconnectIntervalMs, 1000);
  assert.is(resolveSidecarConfig(serviceOptions).watchUrl, 'http://127.0.0.1:15010/watch');
  const field = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      assert.instance(error, ConfigError);
      return (error as ConfigError).details.field;
    }
    throw new Error('expected a ConfigError');
  };
  assert.is(field(() => resolveSidecarConfig({ ...serviceOptions, serverPort: 0 })), 'serverPort');
  assert.is(field(() => resolveSidecarConfig({ ...serviceOptions, app: { id: '', instanceId: 'x' } })), 'app.id');
  assert.is(field(() => resolveSidecarConfig(serviceOptions, { baseUrl: 'ftp://x' })), 'baseUrl');
  assert.is(field(() => resolveSidecarConfig(serviceOptions, { reconnectIntervalMs: -1 })), 'reconnectIntervalMs');
});

test.run();

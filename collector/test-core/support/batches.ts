import type { PathmarkEvent, Props } from '#protocol';
import { POPULATION_ORIGIN, type Population } from './population.ts';

/**
 * The population as the SDK would send it, for tests through the real collector (workerd,
 * end to end): one batch per page view, each with the address its visitor sends from (an
 * anonymous visitor is its address and browser to the collector). The caller wraps the events in
 * a batch envelope with `sent_at` = the moment it sends, so the collector's clock-skew correction
 * keeps the events' times.
 */

export interface PopulationSend {
  consent: 'granted' | 'anonymous';
  /** The visitor's address (documentation range), stable per visitor. */
  ip: string;
  events: PathmarkEvent[];
}

export function populationBatches(population: Population, origin = POPULATION_ORIGIN): PopulationSend[] {
  const ips = new Map<string, string>();
  const ipOf = (visitor: string) => {
    let ip = ips.get(visitor);
    if (!ip) ips.set(visitor, (ip = `203.0.113.${ips.size + 1}`));
    return ip;
  };
  const byBatch = new Map<string, PopulationSend>();
  const swap = (url: string) => (url.startsWith(POPULATION_ORIGIN) ? origin + url.slice(POPULATION_ORIGIN.length) : url);
  for (const record of population.records) {
    let send = byBatch.get(record.batch_id);
    if (!send) byBatch.set(record.batch_id, (send = { consent: record.consent, ip: ipOf(record.visitor_id), events: [] }));
    const event = {
      id: record.event_id,
      ts: record.ts,
      seq: record.seq,
      page_id: record.page_id,
      url: swap(record.url),
      name: record.name,
      props: record.props as Props,
      ...(record.referrer && { referrer: swap(record.referrer) }),
      ...(record.consent === 'granted' && { anonymous_id: record.visitor_id, session_id: record.session_id }),
    } as PathmarkEvent;
    send.events.push(event);
  }
  return [...byBatch.values()];
}

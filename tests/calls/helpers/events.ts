import type { InspectionEvent } from 'xstate';

/** The types of the events an actor (and its children) received, in order, and the `inspect` that records them. */
export function receivedEvents(): { events: string[]; inspect: (event: InspectionEvent) => void } {
  const events: string[] = [];
  return {
    events,
    inspect: (event) => {
      if (event.type === '@xstate.event') events.push(event.event.type);
    },
  };
}

/**
 * Tells the caller the request's id in the X-Request-Id response header: the id every
 * disclosure-log and access-log row of that request carries (the gateway's own, generated for
 * every request; a subgraph's, when it is called directly).
 */
import { ApolloServerPlugin, BaseContext } from '@apollo/server';

export function requestIdPlugin<C extends BaseContext & { requestId?: string }>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (contextValue.requestId) response.http.headers.set('x-request-id', contextValue.requestId);
        },
      };
    },
  };
}

// keyward's whole core API (`keyward`), every export kept: the most any app using only the core can ship.
export * from 'keyward';

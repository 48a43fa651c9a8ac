// keyward core + React, every export of both kept: the figure the size budget holds.
export * from 'keyward';
export * from 'keyward/react';

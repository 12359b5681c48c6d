require "include";
include :global "counter";

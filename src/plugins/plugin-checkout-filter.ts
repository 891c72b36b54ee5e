import { Between, FindOptionsWhere, In, LessThanOrEqual, MoreThanOrEqual, Raw } from 'typeorm';
import type { Checkout } from '../checkout/checkout.entity';
import type { CheckoutStatus } from '../checkout/checkout-status';

/** A plugin's checkout search, always within one store. Absent fields do not filter. */
export interface CheckoutFilter {
  storeId: string;
  /** One of these statuses; an empty list matches nothing. */
  statuses?: readonly CheckoutStatus[];
  /** One of these order ids; an empty list matches nothing. */
  orderIds?: readonly string[];
  includeArchived?: boolean;
  /** Created at or after / at or before (inclusive). */
  createdFrom?: Date;
  createdTo?: Date;
  /** The checkout id, or text in its order id, description or metadata (case-insensitive). */
  textSearch?: string;
  skip?: number;
  take?: number;
}

export function checkoutFilterWhere(filter: CheckoutFilter): FindOptionsWhere<Checkout> | FindOptionsWhere<Checkout>[] {
  const where: FindOptionsWhere<Checkout> = { storeId: filter.storeId };
  if (!filter.includeArchived) where.archived = false;
  if (filter.orderIds) where.orderId = In([...filter.orderIds]);
  if (filter.statuses) where.status = In([...filter.statuses]);
  const { createdFrom: start, createdTo: end } = filter;
  if (start && end) where.createdAt = Between(start, end);
  else if (start) where.createdAt = MoreThanOrEqual(start);
  else if (end) where.createdAt = LessThanOrEqual(end);
  return withTextSearch(where, filter.textSearch);
}

/** `%`, `_` and the escape character itself match literally. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One OR branch per searched field, each with the other filters. */
function withTextSearch(where: FindOptionsWhere<Checkout>, text: string | undefined): FindOptionsWhere<Checkout> | FindOptionsWhere<Checkout>[] {
  const term = text?.trim();
  if (!term) return where;
  const like = likePattern(term);
  const contains = Raw((column) => `LOWER(${column}) LIKE :like ESCAPE '\\'`, { like });
  return [
    { ...where, id: term },
    { ...where, orderId: contains },
    { ...where, description: contains },
    { ...where, metadata: contains },
  ];
}
